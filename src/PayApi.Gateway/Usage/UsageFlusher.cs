using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayApi.Contracts;

namespace PayApi.Gateway.Usage;

/// <summary>
/// Flushes <see cref="UsageMeter"/> to the per-client, per-month usage records every
/// <see cref="UsageOptions.FlushInterval"/> and once more at shutdown (it is registered after Orleans, so it stops
/// first, while the cluster is still reachable). A flush that fails is retried as it was, with the same sequence
/// number, before anything newer for the same record is sent: the record applies each flush once, in order.
/// </summary>
public sealed partial class UsageFlusher(
    UsageMeter meter,
    IGrainFactory grains,
    IOptions<UsageOptions> options,
    ILogger<UsageFlusher> logger) : BackgroundService
{
    private readonly Dictionary<(string ClientId, UsageMonth Month), UsageFlush> _unacknowledged = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _sequence;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync flushes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync();
    }

    /// <summary>Sends what was counted since the last flush; returns the number of records written to.</summary>
    public async Task<int> FlushAsync()
    {
        await _gate.WaitAsync();
        try
        {
            var written = 0;
            foreach (var ((clientId, month), calls) in meter.Take())
            {
                if (_unacknowledged.TryGetValue((clientId, month), out var earlier))
                {
                    if (!await SendAsync(clientId, month, earlier))
                    {
                        meter.Return(clientId, month, calls);
                        continue;
                    }

                    _unacknowledged.Remove((clientId, month));
                    written++;
                }

                var flush = new UsageFlush(meter.MeterId, ++_sequence, calls);
                if (await SendAsync(clientId, month, flush))
                {
                    written++;
                }
                else
                {
                    _unacknowledged[(clientId, month)] = flush;
                }
            }

            // Records with nothing new since a failed flush: retry those too.
            foreach (var ((clientId, month), flush) in _unacknowledged.ToList())
            {
                if (await SendAsync(clientId, month, flush))
                {
                    _unacknowledged.Remove((clientId, month));
                    written++;
                }
            }

            return written;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> SendAsync(string clientId, UsageMonth month, UsageFlush flush)
    {
        try
        {
            await grains.GetGrain<IClientUsageGrain>(UsageKeys.ClientMonth(clientId, month)).RecordAsync(flush);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFlushFailed(logger, clientId, month.ToString(), e.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage flush for {ClientId} {Month} failed ({Error}); it is retried with the next flush.")]
    private static partial void LogFlushFailed(ILogger logger, string clientId, string month, string error);
}
