using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;

namespace PayApi.Deploy;

/// <summary>
/// One PayApi deployment in one region: the key, the tables, the bucket, the log groups, the silo service behind its
/// load balancer, and the alarms. deploy/README.md describes it; ServiceContract holds what it shares with the code.
/// </summary>
public sealed class PayApiStack : Stack
{
    public PayApiStack(Construct scope, DeploySettings settings, string collectorConfig)
        : base(scope, $"{settings.StackName}-{settings.Region}", new StackProps
        {
            StackName = settings.StackName,
            Env = settings.ToEnvironment(),
            Description = $"PayApi {settings.EnvironmentName}: Orleans silos on ECS Fargate, DynamoDB, KMS, S3",
        })
    {
        var metricsNamespace = $"PayApi/{settings.EnvironmentName}";

        TaskRole = new Role(this, "TaskRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("ecs-tasks.amazonaws.com"),
            Description = "PayApi silos: the cluster's tables, its key under the service's encryption context, its bucket prefixes",
        });

        var bucketArn = FailureBundleBucket.ArnFor(settings);
        Key = new EncryptionKey(this, "EncryptionKey", settings, TaskRole, bucketArn);
        Tables = new DataTables(this, "Tables", settings, Key.Key);
        Bucket = new FailureBundleBucket(this, "FailureBundles", settings, Key.Key);

        AppLogs = new LogGroup(this, "AppLogs", new LogGroupProps
        {
            LogGroupName = $"/payapi/{settings.EnvironmentName}/app",
            Retention = RetentionDays.TWO_WEEKS,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        MetricLogs = new LogGroup(this, "MetricLogs", new LogGroupProps
        {
            LogGroupName = $"/payapi/{settings.EnvironmentName}/metrics",
            Retention = RetentionDays.TWO_WEEKS,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });

        TaskPermissions.Apply(TaskRole, Tables, Key.Key, bucketArn, AppLogs, MetricLogs);

        AdminToken = settings.AdminTokenSecretArn is { } secretArn
            ? Secret.FromSecretCompleteArn(this, "AdminToken", secretArn)
            : new Secret(this, "AdminToken", new SecretProps
            {
                SecretName = $"payapi/{settings.EnvironmentName}/admin-token",
                Description = "PayApi operator bearer token (PayApi:AdminToken)",
                GenerateSecretString = new SecretStringGenerator { PasswordLength = 48, ExcludePunctuation = true, IncludeSpace = false },
            });

        Silos = new SiloService(this, "Silos", new SiloServiceProps
        {
            Settings = settings,
            TaskRole = TaskRole,
            AdminToken = AdminToken,
            AppLogs = AppLogs,
            MetricLogs = MetricLogs,
            MetricsNamespace = metricsNamespace,
            CollectorConfig = collectorConfig,
            KeyArn = Key.Key.KeyArn,
            BucketName = FailureBundleBucket.NameFor(settings),
        });
        Silos.Service.Node.AddDependency(Bucket.Bucket);
        Silos.Service.Node.AddDependency(Tables);

        Monitoring = new Monitoring(this, "Monitoring", settings, AppLogs, metricsNamespace, Silos.LoadBalancer);

        _ = new CfnOutput(this, "LoadBalancerDns", new CfnOutputProps { Value = Silos.LoadBalancer.LoadBalancerDnsName, Description = "Point the public DNS name here (CNAME or alias)" });
        _ = new CfnOutput(this, "KeyArn", new CfnOutputProps { Value = Key.Key.KeyArn });
        _ = new CfnOutput(this, "BucketName", new CfnOutputProps { Value = Bucket.Bucket.BucketName });
        _ = new CfnOutput(this, "AlarmTopicArn", new CfnOutputProps { Value = Monitoring.Topic.TopicArn });
        _ = new CfnOutput(this, "AdminTokenSecretArn", new CfnOutputProps { Value = AdminToken.SecretArn });
    }

    public Role TaskRole { get; }

    public EncryptionKey Key { get; }

    public DataTables Tables { get; }

    public FailureBundleBucket Bucket { get; }

    public LogGroup AppLogs { get; }

    public LogGroup MetricLogs { get; }

    public ISecret AdminToken { get; }

    public SiloService Silos { get; }

    public Monitoring Monitoring { get; }

    /// <summary>The collector configuration (deploy/otel-collector.yaml), copied beside the app's assembly.</summary>
    public static string ReadCollectorConfig() =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "otel-collector.yaml"));
}
