using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;

namespace PayApi.Deploy;

/// <summary>
/// The four alarms of deploy/README.md's runbook, each sending to one SNS topic:
/// 5xx rate at the load balancer, <c>dependency_unavailable</c> answers, membership churn, browser pool saturation.
/// The middle two count log lines (metric filters on the application log group, ServiceContract names the lines);
/// the last reads the service's own OpenTelemetry metric, which the collector publishes through EMF.
/// </summary>
public sealed class Monitoring : Construct
{
    public const string HighErrorRateAlarm = "5xxRate";
    public const string DependencyAlarm = "DependencyUnavailable";
    public const string MembershipChurnAlarm = "MembershipChurn";
    public const string BrowserSaturationAlarm = "BrowserPoolSaturation";

    public Monitoring(Construct scope, string id, DeploySettings settings, ILogGroup appLogs, string metricsNamespace, ApplicationLoadBalancer loadBalancer)
        : base(scope, id)
    {
        Topic = new Topic(this, "Alarms", new TopicProps { DisplayName = $"PayApi {settings.EnvironmentName} alarms" });
        if (settings.AlarmEmail is { } email)
        {
            Topic.AddSubscription(new EmailSubscription(email));
        }

        var action = new SnsAction(Topic);
        var name = $"payapi-{settings.EnvironmentName}";

        // 5xx answered by the silos or by the load balancer itself, as a share of all requests.
        Metric AlbMetric(string metricName) => new(new MetricProps
        {
            Namespace = "AWS/ApplicationELB",
            MetricName = metricName,
            DimensionsMap = new Dictionary<string, string> { ["LoadBalancer"] = loadBalancer.LoadBalancerFullName },
            Statistic = "Sum",
            Period = Duration.Minutes(5),
        });
        var errorRate = new MathExpression(new MathExpressionProps
        {
            Expression = "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)",
            UsingMetrics = new Dictionary<string, IMetric>
            {
                ["target5xx"] = AlbMetric("HTTPCode_Target_5XX_Count"),
                ["elb5xx"] = AlbMetric("HTTPCode_ELB_5XX_Count"),
                ["requests"] = AlbMetric("RequestCount"),
            },
            Label = "5xx (% of requests)",
            Period = Duration.Minutes(5),
        });
        Add(HighErrorRateAlarm, errorRate, threshold: 5, evaluationPeriods: 3, datapoints: 2, name,
            "More than 5% of requests answered 5xx in 2 of the last 3 five-minute periods. Runbook: deploy/README.md, '5xx rate'.", action);

        var dependencyFailures = CountLines(appLogs, "DependencyUnavailableFilter", metricsNamespace, "DependencyUnavailable",
            FilterPattern.AnyTerm(ServiceContract.DependencyFailureLogText));
        Add(DependencyAlarm, dependencyFailures, threshold: 20, evaluationPeriods: 3, datapoints: 2, name,
            "Requests answered 503 dependency_unavailable (DynamoDB, KMS or S3 failing after retries). Runbook: deploy/README.md, 'dependency_unavailable'.", action);

        var membershipChanges = CountLines(appLogs, "MembershipChangeFilter", metricsNamespace, "MembershipChanges",
            FilterPattern.AnyTerm(ServiceContract.MembershipChangeLogTexts));
        Add(MembershipChurnAlarm, membershipChanges, threshold: 30, evaluationPeriods: 3, datapoints: 3, name,
            "Silos keep joining, leaving or being declared dead (more than 30 membership changes per 5 minutes for 15 minutes). Runbook: deploy/README.md, 'Membership churn'.", action);

        var browserQueue = new Metric(new MetricProps
        {
            Namespace = metricsNamespace,
            MetricName = ServiceContract.BrowserQueueMetric,
            Statistic = "Minimum",
            Period = Duration.Minutes(5),
        });
        Add(BrowserSaturationAlarm, browserQueue, threshold: 0, evaluationPeriods: 3, datapoints: 3, name,
            "Browser jobs have been waiting for a browser slot for 15 minutes without a break. Runbook: deploy/README.md, 'Browser pool saturation'.", action);
    }

    public Topic Topic { get; }

    private Metric CountLines(ILogGroup logs, string id, string metricsNamespace, string metricName, IFilterPattern pattern)
    {
        var filter = new MetricFilter(this, id, new MetricFilterProps
        {
            LogGroup = logs,
            FilterPattern = pattern,
            MetricNamespace = metricsNamespace,
            MetricName = metricName,
            MetricValue = "1",
            DefaultValue = 0,
        });
        return filter.Metric(new MetricOptions { Statistic = "Sum", Period = Duration.Minutes(5) });
    }

    private void Add(string id, IMetric metric, double threshold, int evaluationPeriods, int datapoints, string prefix, string description, IAlarmAction action)
    {
        var alarm = new Alarm(this, id, new AlarmProps
        {
            AlarmName = $"{prefix}-{id}",
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = evaluationPeriods,
            DatapointsToAlarm = datapoints,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(action);
    }
}
