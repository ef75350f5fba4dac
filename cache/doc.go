// Package cache is the cache server that actions/cache talks to: the v1
// REST API under ACTIONS_CACHE_URL (_apis/artifactcache/...) and the v2
// twirp github.actions.results.api.v1.CacheService under
// ACTIONS_RESULTS_URL, with the signed upload and download URLs both hand
// out.
//
// Entries are stored per repository and per ref. Every request carries a
// credential the runner derives for its job with an Issuer: an HMAC, keyed
// with the secret the server and its runners share, over the job's
// repository, the ref it writes and the refs it reads (its own, a pull
// request's base branch, the default branch), which is GitHub's ref
// scoping. A job of one repository can never see another's entries, and a
// pull request cannot write into its base branch's cache.
//
// Entries are streamed to files under one directory, never held in memory;
// an index of small JSON files (one per committed entry, written by atomic
// rename) makes the cache survive a restart, and uploads that were never
// committed are discarded. Entries are evicted by age since their last use
// and, least recently used first, by total size.
//
// It is not a runner and imports nothing of anvil's: cmd starts it for
// anvil daemon, anvil exec and anvil cache-server, and hands jobs the
// credentials an Issuer makes. The cachetest package holds a client that
// follows @actions/cache's protocol, for tests.
package cache
