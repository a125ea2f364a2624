namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>The shared sample app in the Production environment, where a rejected token's challenge never names the reason.</summary>
public sealed class ProductionSampleApp : SampleApp
{
    public ProductionSampleApp()
        : base(null, "Production", withServerSecret: true, seedAdmin: true, configureServices: null)
    {
    }
}
