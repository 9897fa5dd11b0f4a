using Bff.Demo.Api;

var authority = Environment.GetEnvironmentVariable("DEMO_API_AUTHORITY") ?? "http://localhost:5001/";
var app = DemoApi.Build("http://localhost:5002", authority, args);
await app.RunAsync();
