namespace PayApi.ProviderData.Tests;

/// <summary>Counts chunk reads and writes, to show which chunks an operation needs.</summary>
internal sealed class CountingChunkStore(IChunkStore inner) : IChunkStore
{
    private int _reads;
    private int _puts;

    public int Reads
    {
        get => Volatile.Read(ref _reads);
        set => Volatile.Write(ref _reads, value);
    }

    public int Puts
    {
        get => Volatile.Read(ref _puts);
        set => Volatile.Write(ref _puts, value);
    }

    public Task PutAsync(string connectionId, string name, string sealedChunk, CancellationToken ct)
    {
        Interlocked.Increment(ref _puts);
        return inner.PutAsync(connectionId, name, sealedChunk, ct);
    }

    public Task<string?> GetAsync(string connectionId, string name, CancellationToken ct)
    {
        Interlocked.Increment(ref _reads);
        return inner.GetAsync(connectionId, name, ct);
    }

    public Task<IReadOnlyList<string>> ListAsync(string connectionId, CancellationToken ct) => inner.ListAsync(connectionId, ct);

    public Task DeleteAsync(string connectionId, IReadOnlyCollection<string> names, CancellationToken ct) => inner.DeleteAsync(connectionId, names, ct);

    public Task<int> DeleteAllAsync(string connectionId, CancellationToken ct) => inner.DeleteAllAsync(connectionId, ct);
}
