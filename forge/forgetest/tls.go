package forgetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"time"
)

// WithTLS serves the forge over HTTPS (URL is https://), with a
// certificate of its own that Certificate returns and Client trusts.
func WithTLS() Option {
	return func(o *options) { o.tls = true }
}

// Certificate is the certificate of a forge started WithTLS, nil
// otherwise.
func (s *Server) Certificate() *x509.Certificate { return s.hs.Certificate() }

// Client is an HTTP client that trusts the forge's certificate (WithTLS).
func (s *Server) Client() *http.Client { return s.hs.Client() }

// UntrustedCertificate makes the next n TLS handshakes of a forge started
// WithTLS present a self-signed certificate for 127.0.0.1 that no client
// trusts, as a proxy with a wrong certificate does. n replaces what was
// armed; 0 disarms.
func (s *Server) UntrustedCertificate(n int) {
	s.tb.Helper()
	if !s.opts.tls {
		s.tb.Errorf("forgetest: UntrustedCertificate: the server was not started WithTLS")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.untrusted = n
}

// configForClient is the TLS configuration of one handshake: the
// untrusted certificate while that fault is armed, the server's own
// otherwise (nil).
func (s *Server) configForClient(*tls.ClientHelloInfo) (*tls.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.untrusted <= 0 {
		return nil, nil
	}
	s.faults.untrusted--
	cert, err := selfSigned()
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// selfSigned makes a certificate for 127.0.0.1 that signs itself.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "untrusted forgetest"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
