//go:build tools

// Package tools pins kwok (fake nodes and kubelet API for pods on the local plane) that the rxkube
// control-plane scripts build. kwok v0.8.0 resolves against k8s.io 0.36.1, so it has its own module.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
