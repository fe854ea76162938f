using System.Globalization;
using Amazon.CDK.Assertions;

namespace PayApi.Deploy.Tests;

/// <summary>The silo service, its load balancer and its network.</summary>
[Collection(StacksCollection.Name)]
public sealed class ServiceTests(SynthesizedStacks stacks)
{
    private static Dictionary<string, object> Props(params (string Key, object Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void The_load_balancer_listens_on_HTTPS_only_with_the_given_certificate()
    {
        var listener = Assert.Single(stacks.PrimaryJson.Resources("AWS::ElasticLoadBalancingV2::Listener")).Properties;
        Assert.Equal("HTTPS", listener.GetProperty("Protocol").GetString());
        Assert.Equal(443, listener.GetProperty("Port").GetInt32());
        Assert.StartsWith("ELBSecurityPolicy-TLS13", listener.GetProperty("SslPolicy").GetString(), StringComparison.Ordinal);
        Assert.Equal(SynthesizedStacks.PrimarySettings.CertificateArn,
            Assert.Single(listener.GetProperty("Certificates").EnumerateArray()).GetProperty("CertificateArn").GetString());

        // Nothing reaches the load balancer but port 443.
        var lbGroupId = stacks.PrimaryJson.Single("AWS::ElasticLoadBalancingV2::LoadBalancer").Properties.GetProperty("SecurityGroups")[0].ReferencedId();
        var lbGroup = stacks.PrimaryJson.Resources("AWS::EC2::SecurityGroup").Single(g => g.Id == lbGroupId).Properties;
        var ingress = Assert.Single(lbGroup.GetProperty("SecurityGroupIngress").EnumerateArray());
        Assert.Equal(443, ingress.GetProperty("FromPort").GetInt32());
        Assert.Equal(443, ingress.GetProperty("ToPort").GetInt32());
        Assert.DoesNotContain(stacks.PrimaryJson.Resources("AWS::EC2::SecurityGroupIngress"), r => r.Properties.GetProperty("GroupId").ReferencedId() == lbGroupId);
    }

    [Fact]
    public void The_load_balancer_checks_readyz_on_the_http_port()
    {
        stacks.Primary.HasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", Props(
            ("HealthCheckPath", "/readyz"),
            ("Port", ServiceContract.HttpPort),
            ("Protocol", "HTTP"),
            ("TargetType", "ip"),
            ("Matcher", Props(("HttpCode", "200")))));
    }

    [Fact]
    public void Silo_and_gateway_ports_are_open_only_between_the_tasks()
    {
        var taskGroupId = stacks.PrimaryJson.Single("AWS::ECS::Service").Properties
            .GetProperty("NetworkConfiguration").GetProperty("AwsvpcConfiguration").GetProperty("SecurityGroups")[0].ReferencedId();
        var rules = stacks.PrimaryJson.Resources("AWS::EC2::SecurityGroupIngress").Select(r => r.Properties)
            .Where(r => r.GetProperty("GroupId").ReferencedId() == taskGroupId).ToList();

        foreach (var port in new[] { ServiceContract.SiloPort, ServiceContract.GatewayPort })
        {
            var rule = Assert.Single(rules, r => r.GetProperty("FromPort").GetInt32() == port);
            Assert.Equal(port, rule.GetProperty("ToPort").GetInt32());
            Assert.Equal(taskGroupId, rule.GetProperty("SourceSecurityGroupId").ReferencedId());
        }

        // The only other way in: HTTP from the load balancer's group.
        var lbGroupId = stacks.PrimaryJson.Single("AWS::ElasticLoadBalancingV2::LoadBalancer").Properties.GetProperty("SecurityGroups")[0].ReferencedId();
        var http = Assert.Single(rules, r => r.GetProperty("FromPort").GetInt32() == ServiceContract.HttpPort);
        Assert.Equal(lbGroupId, http.GetProperty("SourceSecurityGroupId").ReferencedId());
        Assert.Equal(3, rules.Count);
        var taskGroup = stacks.PrimaryJson.Resources("AWS::EC2::SecurityGroup").Single(g => g.Id == taskGroupId).Properties;
        Assert.False(taskGroup.TryGetProperty("SecurityGroupIngress", out _));
        Assert.Equal("DISABLED", stacks.PrimaryJson.Single("AWS::ECS::Service").Properties
            .GetProperty("NetworkConfiguration").GetProperty("AwsvpcConfiguration").GetProperty("AssignPublicIp").GetString());
    }

    [Fact]
    public void Deployments_roll_back_on_failure_and_the_service_scales_on_cpu_and_requests()
    {
        stacks.Primary.HasResourceProperties("AWS::ECS::Service", Props(
            ("LaunchType", "FARGATE"),
            ("DesiredCount", 2),
            ("DeploymentConfiguration", Match.ObjectLike(Props(
                ("DeploymentCircuitBreaker", Props(("Enable", true), ("Rollback", true))),
                ("MinimumHealthyPercent", 100))))));
        stacks.Primary.HasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Props(("MinCapacity", 2), ("MaxCapacity", 10)));
        stacks.Secondary.HasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Props(("MinCapacity", 3), ("MaxCapacity", 6)));

        var metrics = stacks.PrimaryJson.Resources("AWS::ApplicationAutoScaling::ScalingPolicy")
            .Select(p => p.Properties.GetProperty("TargetTrackingScalingPolicyConfiguration").GetProperty("PredefinedMetricSpecification")
                .GetProperty("PredefinedMetricType").GetString())
            .Order();
        Assert.Equal(["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization"], metrics);
    }

    [Fact]
    public void The_stop_timeout_outlasts_the_graceful_leave()
    {
        var app = stacks.PrimaryJson.Container(SiloService.AppContainerName);
        var stopTimeout = TimeSpan.FromSeconds(app.GetProperty("StopTimeout").GetInt32());
        var shutdown = TimeSpan.Parse(app.Environment()["PayApi__Orleans__ShutdownTimeout"], CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(45), shutdown);
        Assert.True(stopTimeout >= shutdown + TimeSpan.FromSeconds(10), $"stop timeout {stopTimeout} leaves no margin over the leave's {shutdown}");
        Assert.True(stopTimeout <= TimeSpan.FromSeconds(120), "Fargate allows at most 120 s");

        // The load balancer drains a task before ECS stops it; a drain longer than the stop would outlive the task.
        var targetGroup = stacks.PrimaryJson.Single("AWS::ElasticLoadBalancingV2::TargetGroup").Properties;
        var delay = targetGroup.GetProperty("TargetGroupAttributes").EnumerateArray()
            .Single(a => a.GetProperty("Key").GetString() == "deregistration_delay.timeout_seconds").GetProperty("Value").GetString();
        Assert.Equal("30", delay);
    }

    [Fact]
    public void The_app_container_runs_as_the_images_user_on_a_read_only_root_with_a_writable_tmp()
    {
        var app = stacks.PrimaryJson.Container(SiloService.AppContainerName);
        Assert.True(app.GetProperty("ReadonlyRootFilesystem").GetBoolean());
        Assert.Equal("10001:10001", app.GetProperty("User").GetString());
        var mount = Assert.Single(app.GetProperty("MountPoints").EnumerateArray());
        Assert.Equal("/tmp", mount.GetProperty("ContainerPath").GetString());
        Assert.False(mount.GetProperty("ReadOnly").GetBoolean());
        Assert.Equal([8080, 11111, 30000], app.GetProperty("PortMappings").EnumerateArray().Select(p => p.GetProperty("ContainerPort").GetInt32()));
        var check = string.Join(' ', app.GetProperty("HealthCheck").GetProperty("Command").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("http://127.0.0.1:8080/healthz", check, StringComparison.Ordinal);
    }

    [Fact]
    public void The_container_runs_in_cluster_mode_on_the_stacks_resources()
    {
        var template = stacks.PrimaryJson;
        var env = template.Container(SiloService.AppContainerName).Environment();
        var keyId = template.Single("AWS::KMS::Key").Id;

        Assert.Equal("DynamoDB", env["PayApi__Storage__Provider"]);
        Assert.Equal("DynamoDB", env["PayApi__Clustering__Provider"]);
        Assert.Equal("payapi-prod-", env["PayApi__DynamoDB__TablePrefix"]);
        Assert.Equal("false", env["PayApi__DynamoDB__CreateTables"]);
        Assert.Equal("Kms", env["PayApi__Keys__Provider"]);
        Assert.Equal($"{{{keyId}.Arn}}", env["PayApi__Kms__KeyId"]);
        Assert.Equal("S3", env["PayApi__Artifacts__Provider"]);
        Assert.Equal("payapi-prod-bundles-{Ref:AWS::AccountId}-eu-west-1", env["PayApi__Artifacts__Bucket"]);
        Assert.Equal("aws:kms", env["PayApi__S3__ServerSideEncryption"]);
        Assert.Equal($"{{{keyId}.Arn}}", env["PayApi__S3__KmsKeyId"]);
        Assert.Equal("https://pay.example.com", env["PayApi__PublicUrl"]);
        Assert.Equal("http://+:8080", env["ASPNETCORE_URLS"]);
        Assert.Equal("http://127.0.0.1:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal($"{{{template.Single("AWS::EC2::VPC").Id}.CidrBlock}}", env["PayApi__Network__TrustedProxies__0"]);
        // Every table the tasks may touch is one the prefix names.
        Assert.All(template.Resources("AWS::DynamoDB::Table"),
            t => Assert.StartsWith(env["PayApi__DynamoDB__TablePrefix"], t.Properties.GetProperty("TableName").GetString(), StringComparison.Ordinal));

        // The admin token comes from Secrets Manager, never from the plain environment.
        Assert.DoesNotContain("PayApi__AdminToken", env.Keys);
        var secret = Assert.Single(template.Container(SiloService.AppContainerName).GetProperty("Secrets").EnumerateArray());
        Assert.Equal("PayApi__AdminToken", secret.GetProperty("Name").GetString());
        Assert.Equal(template.Single("AWS::SecretsManager::Secret").Id, secret.GetProperty("ValueFrom").ReferencedId());

        // The second region uses the secret it was given.
        var given = Assert.Single(stacks.SecondaryJson.Container(SiloService.AppContainerName).GetProperty("Secrets").EnumerateArray());
        Assert.Equal(SynthesizedStacks.SecondarySettings.AdminTokenSecretArn, given.GetProperty("ValueFrom").GetString());
        Assert.Empty(stacks.SecondaryJson.Resources("AWS::SecretsManager::Secret"));
    }

    [Fact]
    public void The_silos_run_in_private_subnets_and_the_load_balancer_in_public_ones()
    {
        var template = stacks.PrimaryJson;
        var publicSubnets = template.Resources("AWS::EC2::Subnet").Where(s => s.Properties.TryGetProperty("MapPublicIpOnLaunch", out var m) && m.GetBoolean()).Select(s => (string?)s.Id).ToHashSet();
        var serviceSubnets = template.Single("AWS::ECS::Service").Properties.GetProperty("NetworkConfiguration").GetProperty("AwsvpcConfiguration")
            .GetProperty("Subnets").EnumerateArray().Select(s => s.ReferencedId()).ToList();
        Assert.Equal(2, serviceSubnets.Count);
        Assert.All(serviceSubnets, s => Assert.DoesNotContain(s, publicSubnets));
        var lb = template.Single("AWS::ElasticLoadBalancingV2::LoadBalancer").Properties;
        Assert.Equal("internet-facing", lb.GetProperty("Scheme").GetString());
        Assert.All(lb.GetProperty("Subnets").EnumerateArray(), s => Assert.Contains(s.ReferencedId(), publicSubnets));
    }
}
