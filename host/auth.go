package host

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwtLeeway is the clock skew tolerated on a token's exp and nbf.
const jwtLeeway = 30 * time.Second

// minSecret is the HMAC key length below which New warns: shorter keys can
// be brute-forced from one token.
const minSecret = 32

// Reasons a token is refused, after "unauthorized: " in the 401 body.
const (
	authMissing      = "missing token"
	authMalformed    = "malformed token"
	authBadSignature = "invalid signature"
	authExpired      = "token expired"
	authNotYetValid  = "token not valid yet"
	authBadAlgorithm = "algorithm not allowed"
	authInvalid      = "invalid token" // claims refused for another reason
)

// authError is why a handshake's token was refused. Its message is the body
// of the 401; Unwrap gives the library's detail, for the log only.
type authError struct {
	reason string
	err    error
}

func (e *authError) Error() string { return "unauthorized: " + e.reason }
func (e *authError) Unwrap() error { return e.err }

// authenticator verifies the JWT of every handshake. It accepts only the
// algorithms of the keys it was given: HS256/HS384/HS512 with a secret,
// RS256 with an RSA public key, ES256 with a P-256 public key. "none" is
// never accepted, and a token's alg only ever selects among the configured
// keys, so an HMAC token "signed" with a public key's bytes is refused.
type authenticator struct {
	secret  []byte
	rsa     *rsa.PublicKey
	ec      *ecdsa.PublicKey
	methods []string
	parser  *jwt.Parser
}

// newAuthenticator returns nil when neither key is set.
func newAuthenticator(secret []byte, pub crypto.PublicKey) (*authenticator, error) {
	a := &authenticator{}
	if len(secret) > 0 {
		a.secret = secret
		a.methods = append(a.methods, "HS256", "HS384", "HS512")
	}
	switch k := pub.(type) {
	case nil:
	case *rsa.PublicKey:
		a.rsa = k
		a.methods = append(a.methods, "RS256")
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("host: Config.JWTPublicKey: ECDSA curve %s is not supported (want P-256, for ES256)", k.Curve.Params().Name)
		}
		a.ec = k
		a.methods = append(a.methods, "ES256")
	default:
		return nil, fmt.Errorf("host: Config.JWTPublicKey: %T is not supported (want *rsa.PublicKey or *ecdsa.PublicKey)", pub)
	}
	if a.methods == nil {
		return nil, nil
	}
	a.parser = jwt.NewParser(jwt.WithValidMethods(a.methods), jwt.WithLeeway(jwtLeeway))
	return a, nil
}

// key is the jwt.Keyfunc: the configured key of the token's algorithm
// family. The parser has already refused algorithms outside a.methods.
func (a *authenticator) key(t *jwt.Token) (any, error) {
	switch t.Method.(type) {
	case *jwt.SigningMethodHMAC:
		if a.secret != nil {
			return a.secret, nil
		}
	case *jwt.SigningMethodRSA:
		if a.rsa != nil {
			return a.rsa, nil
		}
	case *jwt.SigningMethodECDSA:
		if a.ec != nil {
			return a.ec, nil
		}
	}
	return nil, fmt.Errorf("no key for algorithm %s", t.Method.Alg())
}

// verify checks token and returns its claims, or why it is refused.
func (a *authenticator) verify(token string) (map[string]any, *authError) {
	if token == "" {
		return nil, &authError{reason: authMissing}
	}
	claims := jwt.MapClaims{}
	t, err := a.parser.ParseWithClaims(token, claims, a.key)
	if err == nil {
		return claims, nil
	}
	return nil, &authError{reason: a.refusal(t, err), err: err}
}

// refusal names why the parser refused a token.
func (a *authenticator) refusal(t *jwt.Token, err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return authMalformed
	case t != nil && (t.Method == nil || !slices.Contains(a.methods, t.Method.Alg())):
		// Unknown, missing, "none", or a family without a configured key.
		return authBadAlgorithm
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return authBadSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		return authExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return authNotYetValid
	case errors.Is(err, jwt.ErrInvalidType):
		return authMalformed // e.g. "exp": "tomorrow"
	default:
		return authInvalid
	}
}

// bearerToken returns the token of a handshake: from an
// "Authorization: Bearer" header, else from the token query parameter
// (browsers cannot set headers on a WebSocket).
func bearerToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
	}
	return r.URL.Query().Get(tokenParam)
}

// tokenParam is the query parameter that may carry the token.
const tokenParam = "token"

// ParsePublicKeyPEM parses the public key for Config.JWTPublicKey from PEM:
// a PKIX "PUBLIC KEY" holding an RSA key (RS256) or an ECDSA P-256 key
// (ES256), or a PKCS #1 "RSA PUBLIC KEY".
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("host: parse public key: no PEM block found")
	}
	switch block.Type {
	case "PUBLIC KEY":
		key, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("host: parse public key: %w", err)
		}
		switch k := key.(type) {
		case *rsa.PublicKey:
			return k, nil
		case *ecdsa.PublicKey:
			if k.Curve != elliptic.P256() {
				return nil, fmt.Errorf("host: parse public key: ECDSA curve %s is not supported (want P-256, for ES256)", k.Curve.Params().Name)
			}
			return k, nil
		default:
			return nil, fmt.Errorf("host: parse public key: %T keys are not supported (want RSA or ECDSA P-256)", key)
		}
	case "RSA PUBLIC KEY":
		key, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("host: parse public key: %w", err)
		}
		return key, nil
	default:
		return nil, fmt.Errorf("host: parse public key: PEM block %q is not a public key (want \"PUBLIC KEY\" or \"RSA PUBLIC KEY\")", block.Type)
	}
}
