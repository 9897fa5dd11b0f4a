using Bff.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddMountedSettings();
builder.Services.AddBff(builder.Configuration);

var app = builder.Build();
app.MapBff();
app.Run();
