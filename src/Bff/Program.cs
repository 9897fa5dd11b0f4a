using Bff.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddMountedSettings();
builder.Services.AddBff(builder.Configuration)
    .AddSessionStore()
    .AddRefreshSweeper()
    .LoadRoutesFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddTelemetry();

var app = builder.Build();
app.MapBff();
app.Run();
