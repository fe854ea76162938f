using Amazon.CDK.Assertions;

namespace PayApi.Deploy.Tests;

/// <summary>Log retention, the collector sidecar and its configuration, the alarms.</summary>
[Collection(StacksCollection.Name)]
public sealed class TelemetryTests(SynthesizedStacks stacks)
{
    [Fact]
    public void Every_log_group_keeps_14_days()
    {
        var groups = stacks.PrimaryJson.Resources("AWS::Logs::LogGroup");
        Assert.Equal(["/payapi/prod/app", "/payapi/prod/metrics"], groups.Select(g => g.Properties.GetProperty("LogGroupName").GetString()).Order());
        Assert.All(groups, g => Assert.Equal(14, g.Properties.GetProperty("RetentionInDays").GetInt32()));
        stacks.Primary.AllResourcesProperties("AWS::Logs::LogGroup", new Dictionary<string, object> { ["RetentionInDays"] = 14 });
    }

    [Fact]
    public void Both_containers_log_to_the_app_group()
    {
        var appGroup = stacks.PrimaryJson.Resources("AWS::Logs::LogGroup").Single(g => g.Properties.GetProperty("LogGroupName").GetString() == "/payapi/prod/app").Id;
        foreach (var name in new[] { SiloService.AppContainerName, SiloService.CollectorContainerName })
        {
            var log = stacks.PrimaryJson.Container(name).GetProperty("LogConfiguration");
            Assert.Equal("awslogs", log.GetProperty("LogDriver").GetString());
            Assert.Equal(appGroup, log.GetProperty("Options").GetProperty("awslogs-group").ReferencedId());
        }
    }

    [Fact]
    public void The_collector_sidecar_runs_the_repositorys_config_and_listens_on_loopback()
    {
        var collector = stacks.PrimaryJson.Container(SiloService.CollectorContainerName);
        var env = collector.Environment();
        Assert.Equal(RepositoryRoot.Read("deploy", "otel-collector.yaml"), env["AOT_CONFIG_CONTENT"]);
        Assert.Equal(["--config=env:AOT_CONFIG_CONTENT"], collector.GetProperty("Command").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("eu-west-1", env["AWS_REGION"]);
        Assert.Equal("PayApi/prod", env["PAYAPI_METRICS_NAMESPACE"]);
        Assert.Equal("/payapi/prod/metrics", env["PAYAPI_METRICS_LOG_GROUP"].Replace("{Ref:", "", StringComparison.Ordinal) is var g && g.Length > 0
            ? stacks.PrimaryJson.Resources("AWS::Logs::LogGroup").Single(l => env["PAYAPI_METRICS_LOG_GROUP"] == "{Ref:" + l.Id + "}").Properties.GetProperty("LogGroupName").GetString()
            : null);

        // Every ${env:NAME} of the config is set on the container, so the collector starts with no unresolved value.
        var config = env["AOT_CONFIG_CONTENT"];
        var used = System.Text.RegularExpressions.Regex.Matches(config, @"\$\{env:([A-Z_]+)\}").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, env.Keys));

        // OTLP in on loopback only; traces to X-Ray, metrics through EMF, into the streams the task role may write.
        Assert.Contains("endpoint: 127.0.0.1:4317", config, StringComparison.Ordinal);
        Assert.Contains("endpoint: 127.0.0.1:4318", config, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0.0.0", config, StringComparison.Ordinal);
        Assert.Contains("exporters: [awsxray]", config, StringComparison.Ordinal);
        Assert.Contains("exporters: [awsemf]", config, StringComparison.Ordinal);
        Assert.Contains("log_stream_name: " + TaskPermissions.MetricsLogStream, config, StringComparison.Ordinal);
        Assert.Contains("log_stream_name: " + TaskPermissions.OtlpLogStream, config, StringComparison.Ordinal);

        // The app sends OTLP to the sidecar, which starts first.
        var app = stacks.PrimaryJson.Container(SiloService.AppContainerName);
        Assert.Equal("http://127.0.0.1:4317", app.Environment()["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var dependsOn = Assert.Single(app.GetProperty("DependsOn").EnumerateArray());
        Assert.Equal(SiloService.CollectorContainerName, dependsOn.GetProperty("ContainerName").GetString());
    }

    [Fact]
    public void Four_alarms_watch_5xx_dependency_failures_membership_churn_and_browser_saturation()
    {
        var alarms = stacks.PrimaryJson.Resources("AWS::CloudWatch::Alarm").ToDictionary(a => a.Properties.GetProperty("AlarmName").GetString()!, a => a.Properties);
        Assert.Equal(
            new[] { Monitoring.HighErrorRateAlarm, Monitoring.DependencyAlarm, Monitoring.MembershipChurnAlarm, Monitoring.BrowserSaturationAlarm }.Select(n => "payapi-prod-" + n).Order(),
            alarms.Keys.Order());

        var topic = stacks.PrimaryJson.Single("AWS::SNS::Topic").Id;
        Assert.All(alarms.Values, a => Assert.Equal(topic, Assert.Single(a.GetProperty("AlarmActions").EnumerateArray()).ReferencedId()));
        Assert.All(alarms.Values, a => Assert.Contains("deploy/README.md", a.GetProperty("AlarmDescription").GetString(), StringComparison.Ordinal));

        // 5xx: target and load balancer 5xx over all requests of this load balancer.
        var rate = alarms["payapi-prod-" + Monitoring.HighErrorRateAlarm];
        var names = rate.GetProperty("Metrics").EnumerateArray().Where(m => m.TryGetProperty("MetricStat", out _))
            .Select(m => m.GetProperty("MetricStat").GetProperty("Metric").GetProperty("MetricName").GetString()).Order();
        Assert.Equal(["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "RequestCount"], names);
        Assert.Equal(5, rate.GetProperty("Threshold").GetDouble());

        // The log-based two count the lines the code writes.
        var filters = stacks.PrimaryJson.Resources("AWS::Logs::MetricFilter").ToDictionary(
            f => f.Properties.GetProperty("MetricTransformations")[0].GetProperty("MetricName").GetString()!, f => f.Properties.GetProperty("FilterPattern").GetString()!);
        Assert.Contains($"\"{ServiceContract.DependencyFailureLogText}\"", filters["DependencyUnavailable"], StringComparison.Ordinal);
        Assert.All(ServiceContract.MembershipChangeLogTexts, text => Assert.Contains($"\"{text}\"", filters["MembershipChanges"], StringComparison.Ordinal));
        Assert.Equal("Information", stacks.PrimaryJson.Container(SiloService.AppContainerName).Environment()["Logging__LogLevel__Orleans.Runtime.MembershipService"]);

        var saturation = alarms["payapi-prod-" + Monitoring.BrowserSaturationAlarm];
        Assert.Equal(ServiceContract.BrowserQueueMetric, saturation.GetProperty("MetricName").GetString());
        Assert.Equal("PayApi/prod", saturation.GetProperty("Namespace").GetString());

        stacks.Primary.HasResourceProperties("AWS::SNS::Subscription", new Dictionary<string, object> { ["Protocol"] = "email", ["Endpoint"] = "oncall@example.com" });
        stacks.Secondary.ResourceCountIs("AWS::SNS::Subscription", 0);
    }
}
