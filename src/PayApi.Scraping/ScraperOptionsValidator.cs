using Microsoft.Extensions.Options;

namespace PayApi.Scraping;

/// <summary>Checks <see cref="ScraperOptions"/> at start-up; every message names the setting to fix.</summary>
public sealed class ScraperOptionsValidator : IValidateOptions<ScraperOptions>
{
    private const string Prefix = ScraperOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, ScraperOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ChromiumPath) && !File.Exists(options.ChromiumPath))
        {
            failures.Add($"{Prefix}ChromiumPath points at '{options.ChromiumPath}', which does not exist.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Proxies.Count; i++)
        {
            if (!ProxyAddress.TryParse(options.Proxies[i], out var proxy, out var problem))
            {
                failures.Add($"{Prefix}Proxies:{i} {problem}");
            }
            else if (!seen.Add(ProxyAddress.Key(proxy)))
            {
                failures.Add($"{Prefix}Proxies:{i} repeats {ProxyAddress.Key(proxy)}.");
            }
        }

        if (options.MaxConcurrentJobs is < 1 or > 64)
        {
            failures.Add($"{Prefix}MaxConcurrentJobs must be between 1 and 64.");
        }

        if (options.RecycleAfterJobs < 1)
        {
            failures.Add($"{Prefix}RecycleAfterJobs must be at least 1.");
        }

        if (options.JobTimeout <= TimeSpan.Zero || options.JobTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{Prefix}JobTimeout must be positive and at most one hour.");
        }

        if (options.ProxyRestPeriod < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}ProxyRestPeriod must not be negative.");
        }

        if (options.FailureBundleSweepPeriod < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Prefix}FailureBundleSweepPeriod must be at least one second.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
