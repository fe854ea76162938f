using PayApi.Contracts;
using PayApi.ProviderData;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>
/// The connection's provider data: sealed chunks in the chunk store (<see cref="ConnectionDataStore"/>), the
/// generation in use recorded in grain state, and a bounded window of the newest items in memory. The first page
/// is answered from the window; other pages read the chunks they need.
/// </summary>
public sealed partial class ConnectionGrain
{
    private const string LegacyCacheField = "cache";
    private const int ReadAttempts = 3;

    private static readonly IReadOnlySet<string> NoChunks = new HashSet<string>();

    private DataWindow? _window;
    private ConnectionDataStore? _data;

    private ConnectionDataStore Data => _data ??= new ConnectionDataStore(chunks, ConnectionId, dataOptions.Value);

    /// <summary>The window, fresh from memory or the store, or fetched from the provider (<c>cached</c> false).</summary>
    private async Task<(DataWindow Window, bool Cached)> ReadWindowAsync()
    {
        var read = await ReadWindowCoreAsync();
        Telemetry.PayApiTelemetry.DataRead(read.Cached);
        return read;
    }

    private async Task<(DataWindow Window, bool Cached)> ReadWindowCoreAsync()
    {
        // Fast path, no lock: a fresh window already in memory, or a fresh generation stored that this activation has
        // not opened yet (the refresh that woke the grain may hold the gate for a whole browser login).
        if (FreshWindow() is { } fresh)
        {
            return (fresh, true);
        }

        if (StoredDataIsFresh())
        {
            await LoadWindowAsync();
            if (FreshWindow() is { } opened)
            {
                return (opened, true);
            }
        }

        return await ExclusiveAsync(async () =>
        {
            if (!state.RecordExists)
            {
                throw PayApiException.Unauthorized("The access token is not valid."); // disconnected while waiting
            }

            await MoveLegacyCacheAsync();
            await LoadWindowAsync();
            if (FreshWindow() is { } loaded)
            {
                return (loaded, true);
            }

            RequireNoUserActionPending();
            RequireProviderNotResting();
            return (await FetchCoreAsync(), false);
        });
    }

    /// <summary>One page of a list: from the window when it decides the answer, else from the chunks.</summary>
    private async Task<PageView<T>> ReadPageAsync<T>(ListKind<T> kind, Func<DataWindow, ListWindow<T>> listOf, ListQuery query)
        where T : class
    {
        for (var attempt = 1; attempt <= ReadAttempts; attempt++)
        {
            var (window, cached) = await ReadWindowAsync();
            if (listOf(window).TryPage(kind, query, out var page, out var next))
            {
                return new PageView<T>(page, next, window.FetchedAt, cached);
            }

            // The window's own generation, so the page and its fetched_at describe the same data.
            var generation = window.Generation;
            try
            {
                (page, next) = await Data.ReadPageAsync(await GetDataKeyAsync(), generation, kind, query, CancellationToken.None);
                return new PageView<T>(page, next, window.FetchedAt, cached);
            }
            catch (Exception e) when (e is ChunkMissingException or CiphertextRejectedException)
            {
                // A newer write replaced this generation while we read it (read the new one), or the data is damaged:
                // worthless, not fatal, it is fetched afresh.
                if (state.State.DataGeneration == generation)
                {
                    LogDataUnreadable(logger, ConnectionId, e is ChunkMissingException ? "missing chunk" : "chunk failed its check");
                    await ExclusiveAsync(() => state.State.DataGeneration == generation ? DiscardDataAsync() : Task.CompletedTask);
                }
            }
        }

        throw new PayApiException(ErrorCodes.DependencyUnavailable, "The connection's data changed while it was read; retry.");
    }

    /// <summary>Writes a fetch as the next generation; the caller commits it to grain state, then removes stale chunks.</summary>
    private async Task<ConnectionDataStore.Written> StoreDataAsync(ProviderSnapshot snapshot)
    {
        var key = await GetDataKeyAsync();
        var s = state.State;
        var generation = ConnectionDataStore.NewGeneration();
        var written = await Data.WriteAsync(key, s.DataGeneration, generation, snapshot, CancellationToken.None);
        s.DataGeneration = generation;
        s.CacheFetchedAt = snapshot.FetchedAt;
        s.SealedCache = null;
        _window = written.Window;
        return written;
    }

    /// <summary>
    /// Best effort: chunks of older generations and of crashed writes. What fails now is removed by the next write or
    /// the disconnect, both of which delete everything not in use.
    /// </summary>
    private async Task RemoveStaleChunksAsync(IReadOnlySet<string> inUse)
    {
        try
        {
            await Data.RemoveAllExceptAsync(inUse, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing that failed here may undo what was already committed, nor stop the caller's next steps.
            LogStaleChunksKept(logger, ConnectionId, e.GetType().Name);
        }
    }

    /// <summary>Forgets the data in memory and in state (not yet written); true when there was any to delete.</summary>
    private bool ForgetData()
    {
        var s = state.State;
        var had = s.DataGeneration is not null || s.SealedCache is not null;
        s.DataGeneration = null;
        s.SealedCache = null;
        s.CacheFetchedAt = null;
        s.Sync = null;
        _window = null;
        StopBackfill();
        return had;
    }

    /// <summary>Deletes the chunks first, then the state's reference: a failure leaves the state pointing at data that is gone, which reads treat as "fetch again".</summary>
    private async Task DiscardDataAsync()
    {
        await Data.DeleteAllAsync(CancellationToken.None);
        ForgetData();
        await state.WriteStateAsync();
    }

    private DataWindow? FreshWindow() =>
        _window is { } window && state.RecordExists && time.GetUtcNow() - window.FetchedAt < RequireAdapter().CacheTtl ? window : null;

    private bool StoredDataIsFresh() =>
        state.RecordExists && state.State is { DataGeneration: not null, CacheFetchedAt: { } fetched }
        && time.GetUtcNow() - fetched < RequireAdapter().CacheTtl;

    private async Task LoadWindowAsync()
    {
        var s = state.State;
        if (_window is not null || s.DataGeneration is not { } generation)
        {
            return;
        }

        try
        {
            var key = await GetDataKeyAsync();
            var window = await Data.ReadWindowAsync(key, generation, CancellationToken.None);
            // Readers may run this outside the gate: a disconnect or a newer fetch may have landed meanwhile.
            if (state.RecordExists && ReferenceEquals(s, state.State) && ReferenceEquals(key, _dataKey) && s.DataGeneration == generation && _window is null)
            {
                _window = window;
            }
        }
        catch (Exception e) when (e is ChunkMissingException or CiphertextRejectedException)
        {
            // Worthless, not fatal: the caller fetches afresh.
            LogDataUnreadable(logger, ConnectionId, e is ChunkMissingException ? "missing chunk" : "chunk failed its check");
        }
    }

    /// <summary>A cache an earlier build sealed whole into grain state becomes chunks, once, under the gate.</summary>
    private async Task MoveLegacyCacheAsync()
    {
        var s = state.State;
        if (s.SealedCache is not { } legacy || s.DataGeneration is not null || s.CacheFetchedAt is null)
        {
            return;
        }

        ProviderSnapshot snapshot;
        byte[]? plaintext = null;
        try
        {
            plaintext = (await GetDataKeyAsync()).Open(LegacyCacheField, legacy);
            snapshot = ProviderSnapshot.FromUtf8Json(plaintext);
        }
        catch (Exception e) when (e is CiphertextRejectedException or System.Text.Json.JsonException or InvalidDataException)
        {
            LogTamperedValue(logger, ConnectionId, LegacyCacheField);
            ForgetData();
            await state.WriteStateAsync();
            return;
        }
        finally
        {
            if (plaintext is not null)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
            }
        }

        var written = await StoreDataAsync(snapshot);
        await state.WriteStateAsync();
        await RemoveStaleChunksAsync(written.ChunkNames);
    }

    private async Task EnforceCacheAgeAsync()
    {
        var s = state.State;
        if (s.CacheFetchedAt is { } fetched && time.GetUtcNow() - fetched > _options.MaxCacheAge)
        {
            await DiscardDataAsync();
            LogCacheExpired(logger, ConnectionId);
        }
    }

    /// <summary>
    /// On the refresh reminder of a connection with no data in use: chunks may still exist that no state names (a
    /// write whose state update failed, a clean-up that failed after a repair). They go, so nothing outlives the
    /// age limit by more than a reminder period.
    /// </summary>
    private async Task RemoveUnreferencedChunksAsync()
    {
        if (state.RecordExists && state.State.DataGeneration is null)
        {
            await RemoveStaleChunksAsync(NoChunks);
        }
    }
}
