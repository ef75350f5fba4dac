// Package artifacts serves Gitea's artifact APIs as Gitea 1.25.4 defines
// them (routers/api/actions/artifacts.go and artifactsv4.go in the Gitea
// module), so GitHub's upload-artifact and download-artifact actions work
// against anything that mounts Server.Handler:
//
//   - v3, used by @actions/artifact 1.x (upload/download-artifact v3), under
//     V3Prefix (what jobs get as ACTIONS_RUNTIME_URL): create a container
//     (POST), upload files in chunks (PUT with Content-Range and the chunk's
//     MD5 in x-actions-results-md5), finalize (PATCH ?artifactName=), list,
//     list a container's files and download a file;
//   - v4, used by @actions/artifact 2.x (upload/download-artifact v4+), the
//     twirp ArtifactService under V4Prefix (ACTIONS_RESULTS_URL's origin):
//     CreateArtifact, FinalizeArtifact, ListArtifacts, GetSignedArtifactURL,
//     DeleteArtifact, plus the signed upload URL (Azure block blob: PUT
//     comp=block with or without blockid, comp=appendBlock, comp=blocklist)
//     and the signed download URL.
//
// Replies, errors included, are Gitea's (checked against a real Gitea by
// the e2e suite): errors are plain text, also in v4; a token that names no
// task or an ended one is answered 500, as Gitea answers it.
//
// Every request but the signed URLs carries a runtime token (Authorization:
// Bearer ACTIONS_RUNTIME_TOKEN) that an Authorizer turns into an Identity:
// the repository and run the job belongs to. Artifacts are scoped to that
// repository and run: another run, or the same run id of another
// repository, never sees them. Signed URLs carry an HMAC made with a key
// that lives only in the Server.
//
// Content streams to and from files under Config.Dir; no artifact is ever
// held in memory. The index (names, sizes, states) is in memory: a Server
// starts empty.
//
// It is not a forge client: on a real forge, jobs talk to the forge's own
// artifact APIs. cmd starts it for anvil exec (with LocalTokens as the
// Authorizer), and forgetest mounts it on the test forge. It imports
// nothing of Anvil's.
package artifacts
