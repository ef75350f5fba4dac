// Package artifactclient speaks Gitea's artifact APIs as GitHub's
// @actions/artifact does: v3 as version 1.x (upload-artifact@v3), v4 as
// version 2.x (upload-artifact@v4). Tests use it to prove a server, and
// jobs can run it to pass files between jobs without node.
//
// It follows the wire protocol exactly: v3 uploads each file in chunks
// with Content-Range and the chunk's MD5 in x-actions-results-md5,
// optionally gzip-encoded with x-tfs-filelength, then finalizes with PATCH
// ?artifactName=; v4 creates the artifact over twirp JSON, PUTs a zip as
// Azure blocks to the signed URL, commits the block list and finalizes with
// the zip's SHA-256.
package artifactclient
