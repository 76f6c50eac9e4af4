//go:build linux

package emulator

import (
	"fmt"
	"net"
	"syscall"
	"time"
	"unsafe"
)

// The kernel's side of BenchmarkReuseVsKernel, on Linux: the same cycle
// (connect, accept, the server closes first, the client's socket made
// ready for the next connection) through real loopback sockets.

// threadCPU is the CPU time the calling OS thread has used (user and
// system), which, unlike wall time, leaves out the time other jobs of a
// loaded machine held the CPU.
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// kernelRawReuse times n cycles of one raw client socket reused with
// connect(AF_UNSPEC), which dissolves its association (tcp_disconnect)
// so the same descriptor connects again: the nearest Linux has to
// DisconnectEx(TF_REUSE_SOCKET). It returns the mean wall and thread CPU
// time of a cycle (the caller locks its OS thread).
func kernelRawReuse(n int) (wall, cpu time.Duration, err error) {
	lfd, port, err := rawListener()
	if err != nil {
		return 0, 0, err
	}
	defer syscall.Close(lfd)
	cfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, 0, fmt.Errorf("socket: %w", err)
	}
	defer syscall.Close(cfd)
	to := &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	unspec := syscall.RawSockaddr{Family: syscall.AF_UNSPEC}
	start, cpu0 := time.Now(), threadCPU()
	for i := 0; i < n; i++ {
		if err := syscall.Connect(cfd, to); err != nil {
			return 0, 0, fmt.Errorf("connect %d: %w", i, err)
		}
		afd, _, err := syscall.Accept4(lfd, syscall.SOCK_CLOEXEC)
		if err != nil {
			return 0, 0, fmt.Errorf("accept %d: %w", i, err)
		}
		if err := syscall.Close(afd); err != nil { // the server closes first
			return 0, 0, fmt.Errorf("close %d: %w", i, err)
		}
		if _, _, e := syscall.Syscall(syscall.SYS_CONNECT, uintptr(cfd), uintptr(unsafe.Pointer(&unspec)), unsafe.Sizeof(unspec)); e != 0 {
			return 0, 0, fmt.Errorf("connect(AF_UNSPEC) %d: %w", i, e)
		}
	}
	return time.Since(start) / time.Duration(n), (threadCPU() - cpu0) / time.Duration(n), nil
}

func rawListener() (fd, port int, err error) {
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, 0, fmt.Errorf("socket: %w", err)
	}
	if err = syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err == nil {
		err = syscall.Listen(fd, 128)
	}
	var sa syscall.Sockaddr
	if err == nil {
		sa, err = syscall.Getsockname(fd)
	}
	if err != nil {
		syscall.Close(fd)
		return 0, 0, fmt.Errorf("listener: %w", err)
	}
	return fd, sa.(*syscall.SockaddrInet4).Port, nil
}

// kernelDial times n cycles of net.Dial, Accept and Close (the server's
// end first) on loopback: a fresh socket for every connection.
func kernelDial(n int) (wall, cpu time.Duration, err error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	defer ln.Close()
	addr := ln.Addr().String()
	start, cpu0 := time.Now(), threadCPU()
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp4", addr)
		if err != nil {
			return 0, 0, fmt.Errorf("dial %d: %w", i, err)
		}
		s, err := ln.Accept()
		if err != nil {
			c.Close()
			return 0, 0, fmt.Errorf("accept %d: %w", i, err)
		}
		s.Close()
		c.Close()
	}
	return time.Since(start) / time.Duration(n), (threadCPU() - cpu0) / time.Duration(n), nil
}
