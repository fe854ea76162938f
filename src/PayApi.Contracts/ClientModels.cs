namespace PayApi.Contracts;

/// <summary>A freshly created client; the only time its secret is visible.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.CreatedClient")]
public sealed record CreatedClient(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string ClientSecret,
    [property: Id(2)] string Name,
    [property: Id(3)] DateTimeOffset CreatedAt)
{
    public override string ToString() => $"CreatedClient {{ ClientId = {ClientId}, Name = {Name} }}";
}

/// <summary>A client as the operator sees it.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ClientInfo")]
public sealed record ClientInfo(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] int ActiveConnections);

/// <summary>A connection the client grain knows it owns.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.OwnedConnection")]
public sealed record OwnedConnection([property: Id(0)] string ConnectionId, [property: Id(1)] string EndUserId);
