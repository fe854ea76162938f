using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PayApi.Storage.S3;

/// <summary>
/// With <see cref="S3Options.CreateBucket"/>, creates the bucket in the background at start. It never fails the
/// host: while S3 is down it logs and tries again with backoff; when S3 refuses (no permission, a name taken by
/// another account) it logs one error and stops, and the artifact calls then fail with their own clear exception.
/// </summary>
internal sealed class S3BucketCreator : BackgroundService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);

    private readonly S3ArtifactStore _store;
    private readonly S3Options _options;
    private readonly TimeProvider _time;
    private readonly ILogger<S3BucketCreator> _logger;

    public S3BucketCreator(S3ArtifactStore store, IOptions<S3Options> options, TimeProvider time, ILogger<S3BucketCreator> logger)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes once the bucket exists or creating it was refused; the tests and the host can wait on it.</summary>
    public Task Settled => _settled.Task;

    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.CreateBucket)
        {
            _settled.TrySetResult();
            return;
        }

        var delay = FirstDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await _store.Objects.EnsureBucketAsync(stoppingToken).ConfigureAwait(false))
                {
                    S3Log.BucketCreated(_logger, _options.Bucket);
                }

                _settled.TrySetResult();
                return;
            }
            catch (S3UnavailableException e)
            {
                S3Log.BucketRetry(_logger, _options.Bucket, e.Message, delay);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Not an outage: a retry will not fix it. One line, no stack trace; the first artifact call says it again.
                S3Log.BucketRefused(_logger, _options.Bucket, e.Message);
                _settled.TrySetResult();
                return;
            }

            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }
}
