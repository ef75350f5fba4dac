package terraform_test

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/actions/terraform"
)

// testWorkFactor keeps scrypt cheap in tests (age's default is 18).
const testWorkFactor = 10

func testBundle() *terraform.Bundle {
	return &terraform.Bundle{
		Meta:     terraform.BundleMeta{Format: terraform.BundleFormat, TerraformVersion: "1.5.7", Workspace: "prod", Counts: terraform.Counts{Add: 1}},
		Plan:     []byte("PK\x03\x04 a plan file with a secret: hunter2"),
		LockFile: []byte("# This file is maintained automatically by \"terraform init\".\n"),
	}
}

func TestBundleRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		bundle        *terraform.Bundle
		passphrase    string
		wantEncrypted bool
	}{
		{name: "encrypted", bundle: testBundle(), passphrase: "pw", wantEncrypted: true},
		{name: "plain", bundle: testBundle()},
		{name: "without lock file", bundle: func() *terraform.Bundle { b := testBundle(); b.LockFile = nil; return b }(), passphrase: "pw", wantEncrypted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := tt.bundle.Encode(tt.passphrase, testWorkFactor)
			if err != nil {
				t.Fatal(err)
			}
			if got := terraform.Encrypted(data); got != tt.wantEncrypted {
				t.Errorf("Encrypted() = %v, want %v", got, tt.wantEncrypted)
			}
			if tt.wantEncrypted && bytes.Contains(data, []byte("hunter2")) {
				t.Errorf("the encrypted bundle holds the plan in clear")
			}
			got, err := terraform.DecodeBundle(data, tt.passphrase)
			if err != nil {
				t.Fatalf("DecodeBundle() = %v", err)
			}
			if diff := cmp.Diff(got, tt.bundle); diff != "" {
				t.Errorf("DecodeBundle(Encode()) (-got +want):\n%s", diff)
			}
		})
	}
}

func TestBundleEncodingIsStable(t *testing.T) {
	t.Parallel()
	a, err := testBundle().Encode("", 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := testBundle().Encode("", 0)
	if terraform.SHA256(a) != terraform.SHA256(b) {
		t.Errorf("two encodings of the same plain bundle differ; the sha256 would not identify the plan")
	}
}

func TestDecodeBundleRefuses(t *testing.T) {
	t.Parallel()
	encrypted, err := testBundle().Encode("right", testWorkFactor)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := testBundle().Encode("", 0)
	flipped := bytes.Clone(encrypted)
	flipped[len(flipped)-20] ^= 1
	tests := []struct {
		name       string
		data       []byte
		passphrase string
		want       string
	}{
		{name: "wrong passphrase", data: encrypted, passphrase: "wrong", want: "check that encryption-passphrase is the one the plan used"},
		{name: "no passphrase", data: encrypted, want: "no encryption-passphrase was given"},
		{name: "modified ciphertext", data: flipped, passphrase: "right", want: "reading the bundle"},
		{name: "truncated", data: plain[:100], want: "reading the bundle"},
		{name: "not a tar", data: []byte("just text"), want: "reading the bundle"},
		{name: "unexpected entry", data: tarOf(t, map[string]string{"../../etc/passwd": "x"}), want: `unexpected entry "../../etc/passwd"`},
		{name: "no plan", data: tarOf(t, map[string]string{"anvil-bundle.json": `{"format":"anvil-terraform-bundle/v1"}`}), want: "lacks the plan"},
		{name: "other format", data: tarOf(t, map[string]string{"anvil-bundle.json": `{"format":"v0"}`, "plan.tfplan": "p"}), want: `format "v0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := terraform.DecodeBundle(tt.data, tt.passphrase)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("DecodeBundle() = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// tarOf makes a tar archive of files.
func tarOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(content))
	}
	tw.Close()
	return b.Bytes()
}
