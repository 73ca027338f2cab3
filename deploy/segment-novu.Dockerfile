# The operator's tool as an image: docker run --rm -e ConnectionStrings__RabbitMq=amqp://… segment-novu queues
FROM mcr.microsoft.com/dotnet/sdk:10.0-alpine AS build
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
# Restore layer: only the project files of the tool and what it references.
COPY src/SegmentNovuWorker.Contracts/SegmentNovuWorker.Contracts.csproj src/SegmentNovuWorker.Contracts/
COPY src/SegmentNovuWorker.Messaging/SegmentNovuWorker.Messaging.csproj src/SegmentNovuWorker.Messaging/
COPY src/SegmentNovuWorker.Novu/SegmentNovuWorker.Novu.csproj src/SegmentNovuWorker.Novu/
COPY src/SegmentNovuWorker.Mapping/SegmentNovuWorker.Mapping.csproj src/SegmentNovuWorker.Mapping/
COPY src/SegmentNovuWorker.Parsing/SegmentNovuWorker.Parsing.csproj src/SegmentNovuWorker.Parsing/
COPY src/SegmentNovuWorker.Operations/SegmentNovuWorker.Operations.csproj src/SegmentNovuWorker.Operations/
COPY src/SegmentNovuWorker.Cli/SegmentNovuWorker.Cli.csproj src/SegmentNovuWorker.Cli/
RUN dotnet restore src/SegmentNovuWorker.Cli/SegmentNovuWorker.Cli.csproj
COPY src/ src/
RUN dotnet publish src/SegmentNovuWorker.Cli/SegmentNovuWorker.Cli.csproj --configuration Release --no-restore --output /app -p:UseAppHost=false

# The tool reads dead letters and talks to the admin API's Operations library, which needs the ASP.NET runtime.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-alpine
WORKDIR /app
COPY --from=build /app .
# By number (APP_UID, 1654 'app'), so runAsNonRoot can verify it where the tool runs as a Kubernetes Job.
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/segment-novu.dll"]
