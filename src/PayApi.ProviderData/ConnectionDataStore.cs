using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using PayApi.Contracts;
using PayApi.Vault;

namespace PayApi.ProviderData;

/// <summary>
/// One connection's provider data in the chunk store: every write produces a new generation (<c>head@N</c>,
/// <c>index@N</c>, and the part chunks that changed), each chunk sealed under the connection's data key with the
/// AAD naming the chunk. The grain records the generation in its state once the write is complete, so a crash
/// mid-write leaves the previous generation whole; <see cref="RemoveAllExceptAsync"/> then clears what no
/// generation in use names. Generations are random (<see cref="NewGeneration"/>), never counted: a write whose
/// state update was lost must not reuse a name that a reader may still hold.
/// </summary>
public sealed class ConnectionDataStore(IChunkStore store, string connectionId, ProviderDataOptions options)
{
    private const int WriteConcurrency = 4;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What a write produced: the window for memory, and every chunk name the new generation uses.</summary>
    public sealed record Written(DataWindow Window, IReadOnlySet<string> ChunkNames);

    /// <summary>A fresh generation number: random and positive, so no two writes ever share chunk names.</summary>
    public static long NewGeneration()
    {
        Span<byte> bytes = stackalloc byte[8];
        long value;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            value = BitConverter.ToInt64(bytes) & long.MaxValue;
        }
        while (value == 0);

        return value;
    }

    /// <summary>
    /// Stores <paramref name="snapshot"/> as generation <paramref name="generation"/>. Part chunks whose items are the
    /// same as in <paramref name="previousGeneration"/> are kept, not written again.
    /// </summary>
    public async Task<Written> WriteAsync(DataKey key, long? previousGeneration, long generation, ProviderSnapshot snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(snapshot);
        var previous = previousGeneration is { } before ? await TryReadPreviousIndexAsync(key, before, ct) : null;
        var transactions = ListKind<TransactionItem>.Transactions.Sorted(snapshot.Transactions);
        var payouts = ListKind<PayoutItem>.Payouts.Sorted(snapshot.Payouts);

        var pending = new List<(string Name, byte[] Plaintext)>();
        var transactionParts = PlanParts(ListKind<TransactionItem>.Transactions, transactions, previous?.Transactions, generation, pending);
        var payoutParts = PlanParts(ListKind<PayoutItem>.Payouts, payouts, previous?.Payouts, generation, pending);

        var window = new DataWindow(
            generation,
            snapshot.FetchedAt, snapshot.Balances, WindowOf(ListKind<TransactionItem>.Transactions, transactions), WindowOf(ListKind<PayoutItem>.Payouts, payouts));
        var head = new HeadChunk(
            snapshot.FetchedAt,
            snapshot.Balances,
            new ListHead<TransactionItem>(window.Transactions.Newest, transactions.Count),
            new ListHead<PayoutItem>(window.Payouts.Newest, payouts.Count));
        pending.Add((ChunkName.Index(generation), JsonSerializer.SerializeToUtf8Bytes(new IndexChunk(snapshot.FetchedAt, transactionParts, payoutParts), Json)));
        pending.Add((ChunkName.Head(generation), JsonSerializer.SerializeToUtf8Bytes(head, Json)));

        try
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = WriteConcurrency, CancellationToken = ct }, async (chunk, token) =>
            {
                var sealedChunk = key.Seal(ChunkName.Field(chunk.Name), chunk.Plaintext);
                CryptographicOperations.ZeroMemory(chunk.Plaintext);
                await store.PutAsync(connectionId, chunk.Name, sealedChunk, token);
            });
        }
        finally
        {
            // A failed or cancelled write leaves no plaintext of the chunks it did not get to.
            foreach (var (_, plaintext) in pending)
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal) { ChunkName.Index(generation), ChunkName.Head(generation) };
        names.UnionWith(transactionParts.Select(p => p.Name));
        names.UnionWith(payoutParts.Select(p => p.Name));
        return new Written(window, names);
    }

    /// <summary>The window of generation <paramref name="generation"/>: one chunk read.</summary>
    /// <exception cref="ChunkMissingException">That generation is gone.</exception>
    /// <exception cref="CiphertextRejectedException">The chunk was modified or moved.</exception>
    public async Task<DataWindow> ReadWindowAsync(DataKey key, long generation, CancellationToken ct)
    {
        var head = await ReadAsync<HeadChunk>(key, ChunkName.Head(generation), ct);
        var transactions = ListKind<TransactionItem>.Transactions;
        var payouts = ListKind<PayoutItem>.Payouts;
        return new DataWindow(
            generation,
            head.FetchedAt,
            head.Balances,
            new ListWindow<TransactionItem>(head.Transactions.Newest.Select(transactions.ShareStrings).ToArray(), head.Transactions.Total),
            new ListWindow<PayoutItem>(head.Payouts.Newest.Select(payouts.ShareStrings).ToArray(), head.Payouts.Total));
    }

    /// <summary>
    /// One page of a list, read from the chunks the page needs: the index, then the parts that can hold items after
    /// the cursor and within the dates, newest first, until the page and one more item are found.
    /// </summary>
    /// <exception cref="ChunkMissingException">That generation is gone.</exception>
    /// <exception cref="CiphertextRejectedException">A chunk was modified or moved.</exception>
    public async Task<(List<T> Page, string? NextCursor)> ReadPageAsync<T>(DataKey key, long generation, ListKind<T> kind, ListQuery query, CancellationToken ct)
        where T : class
    {
        var collector = new PageCollector<T>(kind, query);
        var index = await ReadAsync<IndexChunk>(key, ChunkName.Index(generation), ct);
        var parts = ReferenceEquals(kind, ListKind<TransactionItem>.Transactions) ? index.Transactions : index.Payouts;
        foreach (var part in parts)
        {
            if (collector.IsFull || collector.IsPastRange(part.Newest))
            {
                break;
            }

            if (!collector.MayMatch(part.Newest, part.Oldest))
            {
                continue;
            }

            foreach (var item in await ReadPartAsync<T>(key, part, ct))
            {
                collector.Offer(item);
                if (collector.IsFull)
                {
                    break;
                }
            }
        }

        return collector.Result();
    }

    /// <summary>Deletes every chunk of the connection that <paramref name="keep"/> does not name: older generations, and what a crashed write left.</summary>
    public async Task<int> RemoveAllExceptAsync(IReadOnlySet<string> keep, CancellationToken ct)
    {
        var stale = (await store.ListAsync(connectionId, ct)).Where(name => !keep.Contains(name)).ToList();
        if (stale.Count > 0)
        {
            await store.DeleteAsync(connectionId, stale, ct);
        }

        return stale.Count;
    }

    /// <summary>Deletes every chunk of the connection.</summary>
    public Task<int> DeleteAllAsync(CancellationToken ct) => store.DeleteAllAsync(connectionId, ct);

    private List<PartRef> PlanParts<T>(ListKind<T> kind, List<T> newestFirst, IReadOnlyList<PartRef>? previous, long generation, List<(string, byte[])> pending)
        where T : class
    {
        var before = previous?.ToDictionary(p => p.Slot, StringComparer.Ordinal) ?? [];
        var parts = ChunkLayout.Split(kind, newestFirst, options.ChunkItems, options.ChunkBytes);
        var refs = new List<PartRef>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var items = parts[i];
            var ordinal = parts.Count - 1 - i;
            var plaintext = JsonSerializer.SerializeToUtf8Bytes(items, Json);
            var hash = Base64Url.EncodeToString(SHA256.HashData(plaintext));
            var name = ChunkName.Part(kind.Name, ordinal, generation);
            if (before.TryGetValue(name[..name.LastIndexOf('@')], out var unchanged) && unchanged.Hash == hash)
            {
                name = unchanged.Name;
                CryptographicOperations.ZeroMemory(plaintext);
            }
            else
            {
                pending.Add((name, plaintext));
            }

            var newest = kind.PositionOf(items[0]);
            var oldest = kind.PositionOf(items[^1]);
            refs.Add(new PartRef(name, items.Count, hash, newest.Date, newest.Id, oldest.Date, oldest.Id));
        }

        return refs;
    }

    private ListWindow<T> WindowOf<T>(ListKind<T> kind, List<T> newestFirst)
        where T : class =>
        new(newestFirst.Take(options.WindowItems).Select(kind.ShareStrings).ToArray(), newestFirst.Count);

    private async Task<IndexChunk?> TryReadPreviousIndexAsync(DataKey key, long generation, CancellationToken ct)
    {
        try
        {
            return await ReadAsync<IndexChunk>(key, ChunkName.Index(generation), ct);
        }
        catch (Exception e) when (e is ChunkMissingException or CiphertextRejectedException or JsonException)
        {
            // Nothing to reuse: every part is written afresh.
            return null;
        }
    }

    /// <summary>A part, checked against the index as well: the sealed index names exactly which content it expects.</summary>
    private async Task<T[]> ReadPartAsync<T>(DataKey key, PartRef part, CancellationToken ct)
    {
        var items = await ReadAsync<T[]>(key, part.Name, ct, plaintext =>
        {
            if (!string.Equals(Base64Url.EncodeToString(SHA256.HashData(plaintext)), part.Hash, StringComparison.Ordinal))
            {
                throw new CiphertextRejectedException("chunk does not match its index");
            }
        });
        return items.Length == part.Count ? items : throw new CiphertextRejectedException("chunk does not match its index");
    }

    private async Task<TValue> ReadAsync<TValue>(DataKey key, string name, CancellationToken ct, Action<byte[]>? check = null)
    {
        var sealedChunk = await store.GetAsync(connectionId, name, ct) ?? throw new ChunkMissingException(connectionId, name);
        var plaintext = key.Open(ChunkName.Field(name), sealedChunk);
        try
        {
            check?.Invoke(plaintext);
            return JsonSerializer.Deserialize<TValue>(plaintext, Json) ?? throw new CiphertextRejectedException("empty chunk");
        }
        catch (JsonException)
        {
            // Authentic but unreadable: written by a build with another shape. Treated like a chunk that does not open.
            throw new CiphertextRejectedException("unreadable chunk");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
