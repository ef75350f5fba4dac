// Package audit keeps the audit trail of the jobs a runner runs: one JSON
// record per job (who triggered what, where, with which images and
// action commits, what the policy decided, how it ended), appended to a
// file and optionally forwarded to syslog.
//
// Log is the file: append-only JSON lines, each record written with one
// write and fsync'd before Write returns, rotated by size (the full file
// is renamed with a timestamp and never deleted), locked so that several
// processes can share it. A process killed while writing leaves at most
// a partial last line: Read skips it, and the next Write cuts it off
// before appending. Journal turns one run's engine events and policy
// decisions into records, with every secret masked. Read reads a file
// back.
//
// cmd opens the Log (audit.file in the daemon's config, --audit-log for
// exec); runner and cmd give each run a Journal. It never sees a
// secret's value except to mask it.
package audit
