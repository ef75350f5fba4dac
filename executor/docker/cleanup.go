package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
)

// Removed counts what a clean-up removed.
type Removed struct {
	Containers, Networks, Volumes int
}

// Cleanup removes the containers, networks and volumes anvil's Docker
// backend created that a crashed or killed run left behind: everything
// labelled anvil.managed=true, except what a process still running on
// this machine owns (LabelOwner), such as another anvil's jobs. The
// daemon calls it on start. Containers go first (forced, with their
// anonymous volumes), then networks, then volumes.
func Cleanup(ctx context.Context, cli Client) (Removed, error) {
	host, _ := os.Hostname()
	return remove(ctx, cli, map[string]string{LabelManaged: "true"}, func(l map[string]string) bool {
		return !ownerAlive(l[LabelOwner], host)
	})
}

// RemoveLabelled removes every container, network and volume that carries
// all of labels (KEY=VALUE, or KEY="" for any value), whoever created it.
func RemoveLabelled(ctx context.Context, cli Client, labels map[string]string) (Removed, error) {
	return remove(ctx, cli, labels, func(map[string]string) bool { return true })
}

// Leftovers names the containers, networks and volumes that carry all of
// labels, as "container NAME", "network NAME" and "volume NAME", sorted.
// Tests use it to check that a job left nothing behind.
func Leftovers(ctx context.Context, cli Client, labels map[string]string) ([]string, error) {
	f := labelFilter(labels)
	var out []string
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	for _, c := range cs {
		out = append(out, "container "+strings.TrimPrefix(strings.Join(c.Names, ","), "/"))
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("listing networks: %w", err)
	}
	for _, n := range ns {
		out = append(out, "network "+n.Name)
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("listing volumes: %w", err)
	}
	for _, v := range vs.Volumes {
		out = append(out, "volume "+v.Name)
	}
	sort.Strings(out)
	return out, nil
}

// remove removes the resources with labels for which pick is true.
func remove(ctx context.Context, cli Client, labels map[string]string, pick func(map[string]string) bool) (Removed, error) {
	var (
		r    Removed
		errs []error
	)
	f := labelFilter(labels)
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return r, fmt.Errorf("listing containers: %w", err)
	}
	for _, c := range cs {
		if !pick(c.Labels) {
			continue
		}
		if err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !isNotFound(err) && !isRemovalInProgress(err) {
			errs = append(errs, fmt.Errorf("removing container %s: %w", shortID(c.ID), err))
			continue
		}
		r.Containers++
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return r, errors.Join(append(errs, fmt.Errorf("listing networks: %w", err))...)
	}
	for _, n := range ns {
		if !pick(n.Labels) {
			continue
		}
		if err := cli.NetworkRemove(ctx, n.ID); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("removing network %s: %w", n.Name, err))
			continue
		}
		r.Networks++
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return r, errors.Join(append(errs, fmt.Errorf("listing volumes: %w", err))...)
	}
	for _, v := range vs.Volumes {
		if !pick(v.Labels) {
			continue
		}
		if err := cli.VolumeRemove(ctx, v.Name, true); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("removing volume %s: %w", v.Name, err))
			continue
		}
		r.Volumes++
	}
	return r, errors.Join(errs...)
}

// labelFilter filters by every label (KEY=VALUE, or KEY for any value).
func labelFilter(labels map[string]string) filters.Args {
	f := filters.NewArgs()
	for k, v := range labels {
		if v == "" {
			f.Add("label", k)
		} else {
			f.Add("label", k+"="+v)
		}
	}
	return f
}

// ownerAlive reports whether owner ("HOST/PID", see Config.Owner) is a
// process running on this machine, named host.
func ownerAlive(owner, host string) bool {
	h, p, ok := strings.Cut(owner, "/")
	if !ok || h != host || host == "" {
		return false
	}
	pid, err := strconv.Atoi(p)
	if err != nil || pid <= 0 {
		return false
	}
	return processAlive(pid)
}
