// The parts of Kubernetes core objects that mini-istiod reads. For these kinds the
// ConfigObject's `spec` holds everything below metadata that we use (for a Pod: spec and
// status; for Endpoints: subsets; for an EndpointSlice: addressType, endpoints, ports).

export interface KubeServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
  nodePort?: number;
}

export interface KubeService {
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: KubeServicePort[];
  selector?: Record<string, string>;
  externalName?: string;
}

export interface KubeEndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface KubeEndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind?: string; name?: string; namespace?: string };
}

export interface KubeEndpoints {
  subsets: {
    addresses?: KubeEndpointAddress[];
    notReadyAddresses?: KubeEndpointAddress[];
    ports?: KubeEndpointPort[];
  }[];
}

export interface KubeEndpointSlice {
  /** The owning service, from the `kubernetes.io/service-name` label. */
  serviceName: string;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: {
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    hostname?: string;
    nodeName?: string;
    zone?: string;
    targetRef?: { kind?: string; name?: string; namespace?: string };
  }[];
  ports?: KubeEndpointPort[];
}

export interface KubePod {
  spec: {
    containers?: { name: string; ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
    nodeName?: string;
    serviceAccountName?: string;
  };
  status: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    podIP?: string;
    podIPs?: { ip: string }[];
    conditions?: { type: string; status: string }[];
  };
}
