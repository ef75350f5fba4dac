// Package fleet answers the question a fleet's autoscaler asks: how many
// jobs wait for a runner, and for how long. It turns the forge's queued
// jobs (forge.QueuedJobs) into a Reply, prints it for people, and serves it
// as JSON for KEDA and the like (Handler), reading the forge at most once
// per refresh whoever asks.
//
// It does not register, poll or run anything: anvil fleet queue (cmd)
// reads its flags and token, and calls it.
package fleet
