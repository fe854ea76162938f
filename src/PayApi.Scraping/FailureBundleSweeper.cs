using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PayApi.Scraping;

/// <summary>Deletes expired failure bundles at start and then every <see cref="ScraperOptions.FailureBundleSweepPeriod"/>.</summary>
public sealed class FailureBundleSweeper : BackgroundService
{
    private readonly FailureBundleStore _bundles;
    private readonly TimeProvider _time;
    private readonly ILogger<FailureBundleSweeper> _logger;
    private readonly TimeSpan _period;

    public FailureBundleSweeper(FailureBundleStore bundles, IOptions<ScraperOptions> options, TimeProvider time, ILogger<FailureBundleSweeper> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _bundles = bundles;
        _time = time;
        _logger = logger;
        _period = options.Value.FailureBundleSweepPeriod;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_period, _time);
        do
        {
            try
            {
                await _bundles.SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed sweep is retried next period; stopping the service would keep bundles forever.
                FailureBundleLog.SweepFailed(_logger, e.GetType().Name, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
