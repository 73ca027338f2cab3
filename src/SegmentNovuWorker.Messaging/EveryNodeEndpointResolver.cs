using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MassTransit;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using RabbitMQ.Client;

namespace SegmentNovuWorker.Messaging;

/// <summary>
/// Hands the RabbitMQ client every cluster node on each connection attempt, starting one node further each time, so
/// the client tries them in order (<c>SelectOneAsync</c>) and one attempt reaches a live node when any is up.
/// </summary>
/// <remarks>
/// Written by hand because MassTransit's <c>UseCluster</c> installs its <c>SequentialEndpointResolver</c>, which returns
/// one node per attempt: with the first listed node down, every connection (the bus's and each receive endpoint's)
/// first failed, then waited out a back-off step (5 s, 10 s, 15 s...) before it tried the next node. Rotating the start
/// keeps a reconnect after a node died from trying the dead node first again, and spreads reconnects over the nodes.
/// </remarks>
public sealed class EveryNodeEndpointResolver(IReadOnlyList<AmqpTcpEndpoint> nodes, RabbitMqHostSettings settings) : IRabbitMqEndpointResolver
{
    readonly ClusterNode[] _nodes = [.. nodes.Select(node => ClusterNode.Parse($"{node.HostName}:{node.Port}"))];
    int _next = -1;
    ClusterNode _last;

    /// <summary>The node the latest attempt started with; MassTransit shows it in the connection's description.</summary>
    public ClusterNode LastHost => _last;

    public IEnumerable<AmqpTcpEndpoint> All()
    {
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)_nodes.Length);
        _last = _nodes[start];
        return [.. Enumerable.Range(0, _nodes.Length).Select(i => EndpointOf(_nodes[(start + i) % _nodes.Length]))];
    }

    AmqpTcpEndpoint EndpointOf(ClusterNode node)
    {
        var endpoint = new AmqpTcpEndpoint(node.HostName, node.Port ?? settings.Port);
        settings.ApplySslOptions(endpoint.Ssl);
        return endpoint;
    }

    /// <summary>The host's settings with this resolver in place of the one <c>UseCluster</c> would install.</summary>
    public static RabbitMqHostSettings Over(RabbitMqHostSettings host, IReadOnlyList<AmqpTcpEndpoint> nodes) =>
        new WithResolver(host, new EveryNodeEndpointResolver(nodes, host));

    // MassTransit keeps its settings class internal, so the resolver goes in through its public interface: every
    // member but the resolver reads the settings MassTransit's own host configurator built.
    sealed class WithResolver(RabbitMqHostSettings inner, IRabbitMqEndpointResolver resolver) : RabbitMqHostSettings
    {
        public IRabbitMqEndpointResolver EndpointResolver => resolver;
        public string Host => inner.Host;
        public int Port => inner.Port;
        public string VirtualHost => inner.VirtualHost;
        public string Username => inner.Username;
        public string Password => inner.Password;
        public TimeSpan Heartbeat => inner.Heartbeat;
        public bool Ssl => inner.Ssl;
        public SslProtocols SslProtocol => inner.SslProtocol;
        public string SslServerName => inner.SslServerName;
        public SslPolicyErrors AcceptablePolicyErrors => inner.AcceptablePolicyErrors;
        public string ClientCertificatePath => inner.ClientCertificatePath;
        public string ClientCertificatePassphrase => inner.ClientCertificatePassphrase;
        public X509Certificate ClientCertificate => inner.ClientCertificate;
        public bool UseClientCertificateAsAuthenticationIdentity => inner.UseClientCertificateAsAuthenticationIdentity;
        public LocalCertificateSelectionCallback CertificateSelectionCallback
        {
            get => inner.CertificateSelectionCallback;
            set => inner.CertificateSelectionCallback = value;
        }
        public RemoteCertificateValidationCallback CertificateValidationCallback
        {
            get => inner.CertificateValidationCallback;
            set => inner.CertificateValidationCallback = value;
        }
        public string ClientProvidedName => inner.ClientProvidedName;
        public Uri HostAddress => inner.HostAddress;
        public bool PublisherConfirmation => inner.PublisherConfirmation;
        public ushort RequestedChannelMax => inner.RequestedChannelMax;
        public TimeSpan RequestedConnectionTimeout => inner.RequestedConnectionTimeout;
        public BatchSettings BatchSettings => inner.BatchSettings;
        public TimeSpan ContinuationTimeout => inner.ContinuationTimeout;
        public uint? MaxMessageSize => inner.MaxMessageSize;
        public ICredentialsProvider CredentialsProvider => inner.CredentialsProvider;
        public uint? RequestedFrameMax => inner.RequestedFrameMax;
        public Task Refresh(ConnectionFactory connectionFactory) => inner.Refresh(connectionFactory);
    }
}
