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

        await WriteChunksAsync(key, pending, ct);
        return new Written(window, NamesOf(generation, transactionParts, payoutParts));
    }

    /// <summary>
    /// Stores generation <paramref name="generation"/> as <paramref name="previousGeneration"/> with
    /// <paramref name="update"/> merged in (by id, the update's copy winning). Only the parts the update touches are
    /// read and written again, so the cost follows the size of the update, not of the history: new items join the
    /// newest parts, a backfill's older items the oldest ones, and every other part is kept under its name.
    /// </summary>
    /// <exception cref="ChunkMissingException">The previous generation is gone.</exception>
    /// <exception cref="CiphertextRejectedException">A chunk of it was modified or moved.</exception>
    public async Task<Written> MergeAsync(DataKey key, long? previousGeneration, long generation, DataUpdate update, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(update);
        IndexChunk? previous = null;
        HeadChunk? previousHead = null;
        if (previousGeneration is { } before)
        {
            previous = await ReadAsync<IndexChunk>(key, ChunkName.Index(before), ct);
            if (update.Balances is null)
            {
                previousHead = await ReadAsync<HeadChunk>(key, ChunkName.Head(before), ct);
            }
        }

        var pending = new List<(string Name, byte[] Plaintext)>();
        try
        {
            var transactions = await MergeListAsync(key, ListKind<TransactionItem>.Transactions, previous?.Transactions ?? [], update.Transactions, generation, pending, ct);
            var payouts = await MergeListAsync(key, ListKind<PayoutItem>.Payouts, previous?.Payouts ?? [], update.Payouts, generation, pending, ct);
            var balances = update.Balances ?? previousHead?.Balances ?? [];
            var window = new DataWindow(
                generation,
                update.FetchedAt,
                balances,
                await WindowOfAsync(key, ListKind<TransactionItem>.Transactions, transactions, ct),
                await WindowOfAsync(key, ListKind<PayoutItem>.Payouts, payouts, ct));
            var head = new HeadChunk(
                update.FetchedAt,
                balances,
                new ListHead<TransactionItem>(window.Transactions.Newest, window.Transactions.Total),
                new ListHead<PayoutItem>(window.Payouts.Newest, window.Payouts.Total));
            pending.Add((ChunkName.Index(generation), JsonSerializer.SerializeToUtf8Bytes(new IndexChunk(update.FetchedAt, transactions.Parts, payouts.Parts, update.Marks), Json)));
            pending.Add((ChunkName.Head(generation), JsonSerializer.SerializeToUtf8Bytes(head, Json)));
            await WriteChunksAsync(key, pending, ct);
            return new Written(window, NamesOf(generation, transactions.Parts, payouts.Parts));
        }
        finally
        {
            ZeroAll(pending);
        }
    }

    /// <summary>The sync marks stored with generation <paramref name="generation"/>; null when it was fetched whole (or by an earlier build).</summary>
    /// <exception cref="ChunkMissingException">That generation is gone.</exception>
    /// <exception cref="CiphertextRejectedException">The chunk was modified or moved.</exception>
    public async Task<SyncMarks?> ReadSyncMarksAsync(DataKey key, long generation, CancellationToken ct) =>
        (await ReadAsync<IndexChunk>(key, ChunkName.Index(generation), ct)).Sync;

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

            refs.Add(RefOf(kind, name, items, hash));
        }

        return refs;
    }

    /// <summary>A list after a merge: its parts, newest first, and the items of the parts this merge wrote (by name).</summary>
    private sealed record MergedList<T>(List<PartRef> Parts, Dictionary<string, List<T>> Written);

    private async Task<MergedList<T>> MergeListAsync<T>(
        DataKey key, ListKind<T> kind, IReadOnlyList<PartRef> parts, ListUpdate<T> update, long generation, List<(string, byte[])> pending, CancellationToken ct)
        where T : class
    {
        var written = new Dictionary<string, List<T>>(StringComparer.Ordinal);
        if (update.Items.Count == 0)
        {
            return new MergedList<T>(parts.ToList(), written);
        }

        // Each change joins the newest part whose span reaches down to it (or the oldest part, below everything).
        var joining = new List<T>[Math.Max(parts.Count, 1)];
        var affected = new bool[Math.Max(parts.Count, 1)];
        foreach (var item in update.Items)
        {
            var position = kind.PositionOf(item);
            var at = 0;
            while (at < parts.Count - 1 && parts[at].Oldest.IsBefore(position))
            {
                at++;
            }

            (joining[at] ??= []).Add(item);
            affected[at] = true;
        }

        if (update.RewriteFrom is { } from)
        {
            for (var i = 0; i < parts.Count && parts[i].NewestDate >= from; i++)
            {
                affected[i] = true;
            }
        }

        var refs = new List<PartRef>(parts.Count + 2);
        var ordinal = 0;
        for (var i = 0; i < affected.Length;)
        {
            if (!affected[i])
            {
                refs.Add(parts[i++]);
                continue;
            }

            var end = i;
            while (end < affected.Length && affected[end])
            {
                end++;
            }

            // The run [i, end): its stored items, then the changes (which win), as one newest-first list.
            var byId = new Dictionary<string, T>(StringComparer.Ordinal);
            var replaced = new Dictionary<string, PartRef>(StringComparer.Ordinal);
            for (var k = i; k < end && k < parts.Count; k++)
            {
                replaced.TryAdd(parts[k].Hash, parts[k]);
                foreach (var item in await ReadPartAsync<T>(key, parts[k], ct))
                {
                    byId[kind.IdOf(item)] = item;
                }
            }

            for (var k = i; k < end; k++)
            {
                foreach (var item in joining[k] ?? [])
                {
                    byId[kind.IdOf(item)] = item;
                }
            }

            // A run at the old end that grows older is cut from its newest item, so the remainder sits at the bottom
            // where the next older items join it; any other run is cut from its oldest, the remainder on top.
            var atOldEnd = end >= parts.Count;
            var fromNewest = atOldEnd && (i > 0 || update.GrowsOlder);
            foreach (var items in ChunkLayout.Split(kind, kind.Sorted(byId.Values), options.ChunkItems, options.ChunkBytes, fromNewest))
            {
                var plaintext = JsonSerializer.SerializeToUtf8Bytes(items, Json);
                var hash = Base64Url.EncodeToString(SHA256.HashData(plaintext));
                if (replaced.TryGetValue(hash, out var same))
                {
                    // Read again and unchanged (the overlap of a refresh): the stored chunk stays.
                    CryptographicOperations.ZeroMemory(plaintext);
                    refs.Add(same);
                    written[same.Name] = items;
                    continue;
                }

                var name = ChunkName.Part(kind.Name, ordinal++, generation);
                pending.Add((name, plaintext));
                refs.Add(RefOf(kind, name, items, hash));
                written[name] = items;
            }

            i = end;
        }

        return new MergedList<T>(refs, written);
    }

    /// <summary>The newest items after a merge: from the parts it wrote, reading kept parts only as far as the window reaches.</summary>
    private async Task<ListWindow<T>> WindowOfAsync<T>(DataKey key, ListKind<T> kind, MergedList<T> list, CancellationToken ct)
        where T : class
    {
        var newest = new List<T>(options.WindowItems);
        foreach (var part in list.Parts)
        {
            if (newest.Count >= options.WindowItems)
            {
                break;
            }

            var items = list.Written.TryGetValue(part.Name, out var inMemory) ? inMemory : (IReadOnlyList<T>)await ReadPartAsync<T>(key, part, ct);
            newest.AddRange(items.Take(options.WindowItems - newest.Count).Select(kind.ShareStrings));
        }

        return new ListWindow<T>(newest.ToArray(), list.Parts.Sum(p => p.Count));
    }

    private static PartRef RefOf<T>(ListKind<T> kind, string name, List<T> items, string hash)
        where T : class
    {
        var newest = kind.PositionOf(items[0]);
        var oldest = kind.PositionOf(items[^1]);
        return new PartRef(name, items.Count, hash, newest.Date, newest.Id, oldest.Date, oldest.Id);
    }

    private async Task WriteChunksAsync(DataKey key, List<(string Name, byte[] Plaintext)> pending, CancellationToken ct)
    {
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
            ZeroAll(pending);
        }
    }

    private static void ZeroAll(List<(string Name, byte[] Plaintext)> pending)
    {
        foreach (var (_, plaintext) in pending)
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static HashSet<string> NamesOf(long generation, IEnumerable<PartRef> transactionParts, IEnumerable<PartRef> payoutParts)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { ChunkName.Index(generation), ChunkName.Head(generation) };
        names.UnionWith(transactionParts.Select(p => p.Name));
        names.UnionWith(payoutParts.Select(p => p.Name));
        return names;
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
