# Multi-stage build of the gateway. Configuration comes only from environment variables and a mounted
# /app/appsettings.json (or appsettings.Production.json); see README "Configuration".
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props appsettings.json ./
COPY src/Bff/Bff.csproj src/Bff/
RUN dotnet restore src/Bff/Bff.csproj
COPY src/Bff/ src/Bff/
RUN dotnet publish src/Bff/Bff.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# GC settings ship in Bff.runtimeconfig.json (src/Bff/Bff.csproj).
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production
EXPOSE 8080
# The aspnet image ships the non-root user "app" (uid 1654).
USER app
ENTRYPOINT ["dotnet", "Bff.dll"]
