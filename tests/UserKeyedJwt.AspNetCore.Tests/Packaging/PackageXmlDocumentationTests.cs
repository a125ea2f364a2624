using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace UserKeyedJwt.AspNetCore.Tests.Packaging;

/// <summary>
/// The XML docs that each package ships (the file beside the built assembly, which <c>dotnet pack</c> puts in the package)
/// describe the public and protected API only: src/Directory.Build.targets filters out what the compiler writes for
/// internal and private members. The doc ids are computed here from the assemblies by reflection, independently of the
/// filter, which reads the PublicAPI files.
/// </summary>
public sealed class PackageXmlDocumentationTests
{
    public static TheoryData<string> Packages => new(
        "UserKeyedJwt", "UserKeyedJwt.AspNetCore", "UserKeyedJwt.EntityFrameworkCore", "UserKeyedJwt.Redis");

    [Theory]
    [MemberData(nameof(Packages))]
    public void XmlDocs_OfEachPackage_HoldNoInternalOrPrivateMember(string package)
    {
        var (assembly, documented) = Load(package);
        var visible = VisibleDocIds(assembly);

        var leaked = documented.Where(id => !visible.Contains(id)).Order(StringComparer.Ordinal).ToList();

        Assert.Empty(leaked);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void XmlDocs_OfEachPackage_KeepEveryPublicTypeAndDocumentedMember(string package)
    {
        var (assembly, documented) = Load(package);

        // CS1591 is an error here: every visible type and every member declared in source carries a doc comment.
        var missing = VisibleDocIds(assembly, declaredInSourceOnly: true).Where(id => !documented.Contains(id)).Order(StringComparer.Ordinal).ToList();

        Assert.Empty(missing);
        Assert.Contains(documented, id => id.StartsWith("M:", StringComparison.Ordinal));
    }

    [Fact]
    public void XmlDocs_OfTheCore_NoLongerNameTheLoggingGeneratorsStructs()
    {
        var (_, documented) = Load("UserKeyedJwt");

        Assert.DoesNotContain(documented, id => id.StartsWith("T:UserKeyedJwt.Log", StringComparison.Ordinal));
        Assert.Contains("T:UserKeyedJwt.UserKeyedTokenIssuer", documented);
    }

    private static (Assembly Assembly, HashSet<string> Documented) Load(string package)
    {
        var assembly = Assembly.Load(package);
        var xml = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(xml), $"{xml} is missing: the package's XML docs are not beside its assembly.");
        var documented = XDocument.Load(xml).Descendants("member")
            .Select(m => (string?)m.Attribute("name") ?? "")
            .ToHashSet(StringComparer.Ordinal);
        return (assembly, documented);
    }

    private static HashSet<string> VisibleDocIds(Assembly assembly, bool declaredInSourceOnly = false)
    {
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes().Where(IsVisible))
        {
            ids.Add("T:" + TypeName(type));
            foreach (var member in type.GetMembers(Declared))
            {
                if (declaredInSourceOnly && !IsDeclaredInSource(type, member))
                {
                    continue;
                }

                var id = member switch
                {
                    ConstructorInfo c when IsVisible(c) && !c.IsStatic => "M:" + TypeName(type) + ".#ctor" + Parameters(c.GetParameters()),
                    MethodInfo m when IsVisible(m) && (!m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal)) => MethodId(type, m),
                    PropertyInfo p when p.GetAccessors(nonPublic: true).Any(IsVisible) => "P:" + TypeName(type) + "." + p.Name + Parameters(p.GetIndexParameters()),
                    FieldInfo f when (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName => "F:" + TypeName(type) + "." + f.Name,
                    EventInfo e when e.AddMethod is { } add && IsVisible(add) => "E:" + TypeName(type) + "." + e.Name,
                    _ => null,
                };
                if (id is not null)
                {
                    ids.Add(id);
                }
            }
        }

        return ids;
    }

    // Members the compiler writes without source: a record's members, and the implicit parameterless constructor, which
    // reflection cannot tell apart from a declared one.
    private static bool IsDeclaredInSource(Type type, MemberInfo member) =>
        member.GetCustomAttribute<CompilerGeneratedAttribute>() is null
        && !(member is PropertyInfo p && p.GetMethod?.GetCustomAttribute<CompilerGeneratedAttribute>() is not null && IsRecord(type) && p.Name == "EqualityContract")
        && !(member is ConstructorInfo c && (c.GetParameters().Length == 0 || (IsRecord(type) && c.GetParameters() is [var only] && only.ParameterType == type)));

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null || type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null;

    private static bool IsVisible(Type type) =>
        (type.IsPublic || type.IsNestedPublic || type.IsNestedFamily || type.IsNestedFamORAssem)
        && (type.DeclaringType is null || IsVisible(type.DeclaringType));

    private static bool IsVisible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static string MethodId(Type type, MethodInfo method)
    {
        var name = "M:" + TypeName(type) + "." + method.Name;
        if (method.IsGenericMethodDefinition)
        {
            name += "``" + method.GetGenericArguments().Length;
        }

        name += Parameters(method.GetParameters());
        return method.Name is "op_Implicit" or "op_Explicit" ? name + "~" + ParameterType(method.ReturnType) : name;
    }

    private static string Parameters(ParameterInfo[] parameters) =>
        parameters.Length == 0 ? "" : "(" + string.Join(",", parameters.Select(p => ParameterType(p.ParameterType))) + ")";

    private static string TypeName(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static string ParameterType(Type type)
    {
        if (type.IsByRef)
        {
            return ParameterType(type.GetElementType()!) + "@";
        }

        if (type.IsArray)
        {
            return ParameterType(type.GetElementType()!) + "[]";
        }

        if (type.IsGenericParameter)
        {
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        }

        if (type.IsGenericType)
        {
            var definition = TypeName(type.GetGenericTypeDefinition());
            return definition[..definition.LastIndexOf('`')] + "{" + string.Join(",", type.GetGenericArguments().Select(ParameterType)) + "}";
        }

        return TypeName(type);
    }
}
