using Orleans.Runtime;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>Answers with the address of its silo.</summary>
public sealed class ClusteringProbeGrain(ILocalSiloDetails silo) : Grain, IClusteringProbeGrain
{
    public Task<string> SiloAddress() => Task.FromResult(silo.SiloAddress.ToParsableString());
}
