namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>Test grain a client reaches through a gateway it found in the DynamoDB membership table.</summary>
public interface IClusteringProbeGrain : IGrainWithStringKey
{
    /// <summary>The address of the silo the grain runs on, so the test knows which row is that silo's.</summary>
    Task<string> SiloAddress();
}
