package docker

import "github.com/docker/docker/api/types/container"

// HostAddress is the gateway of the job container's network: the address
// at which its processes reach the machine the engine runs on (on a
// local engine, anvil's machine). It is "" on the host's network, where
// loopback is that machine already.
func (e *Environment) HostAddress() string { return e.hostAddr }

// gatewayOf reads the gateway of a container's network from its
// inspection; IPv4 first.
func gatewayOf(info container.InspectResponse) string {
	ns := info.NetworkSettings
	if ns == nil {
		return ""
	}
	if info.HostConfig != nil && info.HostConfig.NetworkMode.IsHost() {
		return ""
	}
	for _, n := range ns.Networks {
		if n != nil && n.Gateway != "" {
			return n.Gateway
		}
	}
	for _, n := range ns.Networks {
		if n != nil && n.IPv6Gateway != "" {
			return n.IPv6Gateway
		}
	}
	return ""
}
