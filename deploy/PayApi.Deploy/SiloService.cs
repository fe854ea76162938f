using Amazon.CDK;
using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;
using EcsHealthCheck = Amazon.CDK.AWS.ECS.HealthCheck;
using EcsSecret = Amazon.CDK.AWS.ECS.Secret;
using ElbHealthCheck = Amazon.CDK.AWS.ElasticLoadBalancingV2.HealthCheck;

namespace PayApi.Deploy;

/// <summary>
/// The silos: an ECS Fargate service of tasks that each run a silo with its co-hosted gateway (<c>PayApi:Role=All</c>)
/// and the collector sidecar, in private subnets, behind an internet-facing Application Load Balancer that listens
/// on HTTPS only and checks <c>/readyz</c>. Silo and gateway ports are open only between the tasks themselves.
/// </summary>
public sealed class SiloService : Construct
{
    public const string AppContainerName = "payapi";
    public const string CollectorContainerName = "otel-collector";
    public const string ReadinessPath = "/readyz";

    public SiloService(Construct scope, string id, SiloServiceProps props)
        : base(scope, id)
    {
        var settings = props.Settings;
        Vpc = new Vpc(this, "Vpc", new VpcProps
        {
            MaxAzs = 2,
            NatGateways = settings.NatGateways,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = "public", SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
                new SubnetConfiguration { Name = "silos", SubnetType = SubnetType.PRIVATE_WITH_EGRESS, CidrMask = 20 },
            ],
        });

        var cluster = new Cluster(this, "Cluster", new ClusterProps { Vpc = Vpc, ContainerInsights = true });

        TaskDefinition = new FargateTaskDefinition(this, "Task", new FargateTaskDefinitionProps
        {
            Cpu = 2048,
            MemoryLimitMiB = 4096,
            TaskRole = props.TaskRole,
            RuntimePlatform = new RuntimePlatform { CpuArchitecture = CpuArchitecture.X86_64, OperatingSystemFamily = OperatingSystemFamily.LINUX },
            // The one writable place of the read-only root filesystem: Chromium's profiles, .NET's temp files, the data dir.
            Volumes = [new Amazon.CDK.AWS.ECS.Volume { Name = "tmp" }],
        });

        var collector = TaskDefinition.AddContainer(CollectorContainerName, new ContainerDefinitionOptions
        {
            Image = ContainerImage.FromRegistry(settings.CollectorImage),
            Essential = false,
            MemoryReservationMiB = 256,
            ReadonlyRootFilesystem = true,
            Command = ["--config=env:AOT_CONFIG_CONTENT"],
            Environment = new Dictionary<string, string>
            {
                ["AOT_CONFIG_CONTENT"] = props.CollectorConfig,
                ["AWS_REGION"] = settings.Region,
                ["PAYAPI_METRICS_NAMESPACE"] = props.MetricsNamespace,
                ["PAYAPI_METRICS_LOG_GROUP"] = props.MetricLogs.LogGroupName,
                ["PAYAPI_LOG_GROUP"] = props.AppLogs.LogGroupName,
            },
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = props.AppLogs, StreamPrefix = "otel" }),
        });

        var image = ContainerImage.FromEcrRepository(Repository.FromRepositoryName(this, "Repository", settings.ImageRepository), settings.ImageTag);
        var app = TaskDefinition.AddContainer(AppContainerName, new ContainerDefinitionOptions
        {
            Image = image,
            Essential = true,
            ReadonlyRootFilesystem = true,
            User = "10001:10001",
            Environment = ContainerEnvironment(props, Vpc.VpcCidrBlock),
            Secrets = new Dictionary<string, EcsSecret> { ["PayApi__AdminToken"] = EcsSecret.FromSecretsManager(props.AdminToken) },
            PortMappings =
            [
                new PortMapping { ContainerPort = ServiceContract.HttpPort, Name = "http" },
                new PortMapping { ContainerPort = ServiceContract.SiloPort, Name = "silo" },
                new PortMapping { ContainerPort = ServiceContract.GatewayPort, Name = "gateway" },
            ],
            // SIGTERM, then this long before SIGKILL: longer than PayApi:Orleans:ShutdownTimeout, so the leave completes.
            StopTimeout = Duration.Seconds(ServiceContract.StopTimeoutSeconds),
            HealthCheck = new EcsHealthCheck
            {
                Command = ["CMD", "curl", "--fail", "--silent", "--output", "/dev/null", $"http://127.0.0.1:{ServiceContract.HttpPort}/healthz"],
                Interval = Duration.Seconds(15),
                Timeout = Duration.Seconds(5),
                Retries = 3,
                StartPeriod = Duration.Seconds(60),
            },
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = props.AppLogs, StreamPrefix = "silo" }),
        });
        app.AddMountPoints(new MountPoint { ContainerPath = "/tmp", SourceVolume = "tmp", ReadOnly = false });
        app.AddContainerDependencies(new ContainerDependency { Container = collector, Condition = ContainerDependencyCondition.START });

        TaskSecurityGroup = new SecurityGroup(this, "TaskSecurityGroup", new SecurityGroupProps
        {
            Vpc = Vpc,
            Description = "PayApi silos: HTTP from the load balancer; silo and gateway ports from each other only",
            AllowAllOutbound = true,
        });
        TaskSecurityGroup.AddIngressRule(TaskSecurityGroup, Port.Tcp(ServiceContract.SiloPort), "Orleans silo-to-silo, between tasks only");
        TaskSecurityGroup.AddIngressRule(TaskSecurityGroup, Port.Tcp(ServiceContract.GatewayPort), "Orleans gateway, between tasks only");

        Service = new FargateService(this, "Service", new FargateServiceProps
        {
            Cluster = cluster,
            TaskDefinition = TaskDefinition,
            DesiredCount = settings.MinTasks,
            MinHealthyPercent = 100,
            MaxHealthyPercent = 200,
            CircuitBreaker = new DeploymentCircuitBreaker { Enable = true, Rollback = true },
            HealthCheckGracePeriod = Duration.Seconds(120),
            SecurityGroups = [TaskSecurityGroup],
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            AssignPublicIp = false,
            PlatformVersion = FargatePlatformVersion.LATEST,
        });

        var lbSecurityGroup = new SecurityGroup(this, "LoadBalancerSecurityGroup", new SecurityGroupProps
        {
            Vpc = Vpc,
            Description = "PayApi load balancer: HTTPS from anywhere, HTTP to the silos",
            AllowAllOutbound = false,
        });
        lbSecurityGroup.AddIngressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS");

        LoadBalancer = new ApplicationLoadBalancer(this, "LoadBalancer", new ApplicationLoadBalancerProps
        {
            Vpc = Vpc,
            InternetFacing = true,
            SecurityGroup = lbSecurityGroup,
            DropInvalidHeaderFields = true,
            // A connect can wait on a browser login and an MFA step (grain calls may take 3 minutes).
            IdleTimeout = Duration.Seconds(180),
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PUBLIC },
        });

        var listener = LoadBalancer.AddListener("Https", new BaseApplicationListenerProps
        {
            Port = 443,
            Protocol = ApplicationProtocol.HTTPS,
            SslPolicy = SslPolicy.RECOMMENDED_TLS,
            Certificates = [ListenerCertificate.FromArn(settings.CertificateArn)],
            Open = false,
        });

        TargetGroup = listener.AddTargets("Silos", new AddApplicationTargetsProps
        {
            Port = ServiceContract.HttpPort,
            Protocol = ApplicationProtocol.HTTP,
            Targets = [Service.LoadBalancerTarget(new LoadBalancerTargetOptions { ContainerName = AppContainerName, ContainerPort = ServiceContract.HttpPort })],
            HealthCheck = new ElbHealthCheck
            {
                Path = ReadinessPath,
                HealthyHttpCodes = "200",
                Interval = Duration.Seconds(15),
                Timeout = Duration.Seconds(5),
                HealthyThresholdCount = 2,
                UnhealthyThresholdCount = 2,
            },
            // ECS drains a task at the load balancer before it sends SIGTERM; shorter than the graceful leave.
            DeregistrationDelay = Duration.Seconds(30),
        });

        var scaling = Service.AutoScaleTaskCount(new EnableScalingProps { MinCapacity = settings.MinTasks, MaxCapacity = settings.MaxTasks });
        scaling.ScaleOnCpuUtilization("Cpu", new CpuUtilizationScalingProps
        {
            TargetUtilizationPercent = 60,
            ScaleOutCooldown = Duration.Seconds(60),
            ScaleInCooldown = Duration.Seconds(300),
        });
        scaling.ScaleOnRequestCount("Requests", new RequestCountScalingProps
        {
            RequestsPerTarget = 600,
            TargetGroup = TargetGroup,
            ScaleOutCooldown = Duration.Seconds(60),
            ScaleInCooldown = Duration.Seconds(300),
        });
    }

    public Vpc Vpc { get; }

    public FargateTaskDefinition TaskDefinition { get; }

    public SecurityGroup TaskSecurityGroup { get; }

    public FargateService Service { get; }

    public ApplicationLoadBalancer LoadBalancer { get; }

    public ApplicationTargetGroup TargetGroup { get; }

    /// <summary>Cluster mode (API.md "Configuration keys"; src/PayApi.Host/PayApiSettings.cs).</summary>
    private static Dictionary<string, string> ContainerEnvironment(SiloServiceProps props, string vpcCidr)
    {
        var settings = props.Settings;
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://+:{ServiceContract.HttpPort}",
            ["AWS_REGION"] = settings.Region,
            ["PayApi__Role"] = "All",
            ["PayApi__Storage__Provider"] = "DynamoDB",
            ["PayApi__Clustering__Provider"] = "DynamoDB",
            ["PayApi__DynamoDB__TablePrefix"] = settings.TablePrefix,
            ["PayApi__DynamoDB__CreateTables"] = "false",
            ["PayApi__Keys__Provider"] = "Kms",
            ["PayApi__Kms__KeyId"] = props.KeyArn,
            ["PayApi__Artifacts__Provider"] = "S3",
            ["PayApi__Artifacts__Bucket"] = props.BucketName,
            ["PayApi__S3__ServerSideEncryption"] = "aws:kms",
            ["PayApi__S3__KmsKeyId"] = props.KeyArn,
            ["PayApi__Orleans__ClusterId"] = $"payapi-{settings.EnvironmentName}",
            ["PayApi__Orleans__ServiceId"] = "payapi",
            ["PayApi__Orleans__SiloPort"] = ServiceContract.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PayApi__Orleans__GatewayPort"] = ServiceContract.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PayApi__Orleans__ShutdownTimeout"] = TimeSpan.FromSeconds(ServiceContract.ShutdownTimeoutSeconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["PayApi__Network__TrustedProxies__0"] = vpcCidr,
            ["PayApi__DataDir"] = "/tmp/payapi",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_SERVICE_NAME"] = "payapi",
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"deployment.environment={settings.EnvironmentName}",
            // Orleans' own membership changes (a silo joins, leaves, is declared dead), for the churn alarm.
            ["Logging__LogLevel__Orleans.Runtime.MembershipService"] = "Information",
        };
        if (settings.PublicUrl is { } publicUrl)
        {
            environment["PayApi__PublicUrl"] = publicUrl;
        }

        return environment;
    }
}

/// <summary>What the service is built from.</summary>
public sealed class SiloServiceProps
{
    public required DeploySettings Settings { get; init; }

    public required IRole TaskRole { get; init; }

    public required ISecret AdminToken { get; init; }

    public required ILogGroup AppLogs { get; init; }

    public required ILogGroup MetricLogs { get; init; }

    public required string MetricsNamespace { get; init; }

    public required string CollectorConfig { get; init; }

    public required string KeyArn { get; init; }

    public required string BucketName { get; init; }
}
