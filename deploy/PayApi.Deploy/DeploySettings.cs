using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.CDK;

namespace PayApi.Deploy;

/// <summary>
/// What one deployment is: read from CDK context (<c>cdk synth -c env=prod -c region=eu-west-1 -c certificateArn=...</c>),
/// defaults in <c>deploy/cdk.json</c>. Every problem names the context key to fix.
/// </summary>
public sealed partial record DeploySettings
{
    /// <summary><c>env</c>: the environment's name (lower-case letters and digits), part of every resource name.</summary>
    public required string EnvironmentName { get; init; }

    /// <summary><c>region</c>: the AWS region of the stack.</summary>
    public required string Region { get; init; }

    /// <summary><c>account</c>: the AWS account; null means the CLI's (<c>CDK_DEFAULT_ACCOUNT</c>), or an account-agnostic synth.</summary>
    public string? Account { get; init; }

    /// <summary><c>certificateArn</c>: the ACM certificate of the HTTPS listener, in the stack's region.</summary>
    public required string CertificateArn { get; init; }

    /// <summary><c>imageRepository</c> and <c>imageTag</c>: the service image in this account's ECR (deploy/README.md pushes it).</summary>
    public string ImageRepository { get; init; } = "payapi";

    public string ImageTag { get; init; } = "latest";

    /// <summary><c>collectorImage</c>: the AWS Distro for OpenTelemetry collector of the sidecar.</summary>
    public string CollectorImage { get; init; } = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3";

    /// <summary><c>adminTokenSecretArn</c>: an existing Secrets Manager secret holding the admin token; null means the stack creates one.</summary>
    public string? AdminTokenSecretArn { get; init; }

    /// <summary><c>publicUrl</c>: the address clients use (the DNS name pointing at the load balancer), for the Connect page's links.</summary>
    public string? PublicUrl { get; init; }

    /// <summary><c>alarmEmail</c>: who the alarm topic mails; none means subscribe yourself.</summary>
    public string? AlarmEmail { get; init; }

    /// <summary><c>minTasks</c>, <c>maxTasks</c>: the silo count auto scaling keeps between.</summary>
    public int MinTasks { get; init; } = 2;

    public int MaxTasks { get; init; } = 10;

    /// <summary><c>natGateways</c>: one per availability zone for production, one to save cost elsewhere.</summary>
    public int NatGateways { get; init; } = 2;

    /// <summary>The prefix of the tables (<c>PayApi:DynamoDB:TablePrefix</c>): environments can share an account and region.</summary>
    public string TablePrefix => $"payapi-{EnvironmentName}-";

    /// <summary>The stack's name: one stack per environment and region.</summary>
    public string StackName => $"PayApi-{EnvironmentName}";

    public static DeploySettings FromContext(Amazon.CDK.App app)
    {
        ArgumentNullException.ThrowIfNull(app);
        string? Read(string key) => app.Node.TryGetContext(key)?.ToString() is { Length: > 0 } value ? value : null;
        int ReadInt(string key, int fallback, List<string> problems)
        {
            var text = Read(key);
            if (text is null)
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                return value;
            }

            problems.Add($"Context '{key}' must be a non-negative whole number (got '{text}').");
            return fallback;
        }

        var problems = new List<string>();
        var settings = new DeploySettings
        {
            EnvironmentName = Read("env") ?? "",
            Region = Read("region") ?? System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION") ?? "",
            Account = Read("account") ?? System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
            CertificateArn = Read("certificateArn") ?? "",
            ImageRepository = Read("imageRepository") ?? "payapi",
            ImageTag = Read("imageTag") ?? "latest",
            CollectorImage = Read("collectorImage") ?? "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3",
            AdminTokenSecretArn = Read("adminTokenSecretArn"),
            PublicUrl = Read("publicUrl"),
            AlarmEmail = Read("alarmEmail"),
            MinTasks = ReadInt("minTasks", 2, problems),
            MaxTasks = ReadInt("maxTasks", 10, problems),
            NatGateways = ReadInt("natGateways", 2, problems),
        };
        problems.AddRange(settings.Problems());
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid CDK context:" + System.Environment.NewLine + string.Join(System.Environment.NewLine, problems.Select(p => "  - " + p)));
        }

        return settings;
    }

    /// <summary>Every problem with the settings, each naming its context key.</summary>
    public IEnumerable<string> Problems()
    {
        if (!EnvironmentNamePattern().IsMatch(EnvironmentName))
        {
            yield return "Context 'env' must be 1-16 lower-case letters or digits, starting with a letter (e.g. -c env=prod).";
        }

        if (!RegionPattern().IsMatch(Region))
        {
            yield return "Context 'region' must name an AWS region (e.g. -c region=eu-west-1).";
        }

        if (!CertificateArnPattern().IsMatch(CertificateArn))
        {
            yield return "Context 'certificateArn' must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>): the load balancer listens on HTTPS only.";
        }
        else if (CertificateArn.Split(':')[3] != Region)
        {
            yield return $"Context 'certificateArn' is in region {CertificateArn.Split(':')[3]}, but the stack is in {Region}: ACM certificates are regional.";
        }

        if (MinTasks < 1 || MaxTasks < MinTasks)
        {
            yield return "Context 'minTasks' must be at least 1 and 'maxTasks' at least 'minTasks'.";
        }

        if (NatGateways < 1)
        {
            yield return "Context 'natGateways' must be at least 1: the silos reach providers and AWS through NAT.";
        }

        if (PublicUrl is not null && !(Uri.TryCreate(PublicUrl, UriKind.Absolute, out var url) && url.Scheme == "https"))
        {
            yield return "Context 'publicUrl' must be an absolute https URL.";
        }
    }

    /// <summary>The CDK environment: region always, account when known.</summary>
    public Amazon.CDK.Environment ToEnvironment() => new() { Region = Region, Account = Account };

    [GeneratedRegex("^[a-z][a-z0-9]{0,15}$")]
    private static partial Regex EnvironmentNamePattern();

    [GeneratedRegex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$")]
    private static partial Regex CertificateArnPattern();
}
