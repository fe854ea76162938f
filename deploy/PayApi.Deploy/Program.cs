using PayApi.Deploy;

// cdk synth -c env=prod -c region=eu-west-1 -c certificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/... (deploy/README.md)
var app = new Amazon.CDK.App();
var settings = DeploySettings.FromContext(app);
_ = new PayApiStack(app, settings, PayApiStack.ReadCollectorConfig());
app.Synth();
