namespace PayApi.Deploy.Tests;

/// <summary>Every template test shares one synthesized app (one Node.js start for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class StacksCollection : ICollectionFixture<SynthesizedStacks>
{
    public const string Name = "synthesized stacks";
}
