//go:build tools

// Package tools pins the etcd server that the rxkube control-plane scripts build.
package tools

import _ "go.etcd.io/etcd/server/v3/etcdmain"
