package tesseract

// IdleWorkers counts the idle workers kept.
func (ws *Workers) IdleWorkers() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.idle)
}

// KillIdle kills the idle workers' processes, as the system would (out of
// memory), leaving them in the pool.
func (ws *Workers) KillIdle() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, w := range ws.idle {
		_ = w.cmd.Process.Kill()
		_ = w.cmd.Wait()
	}
}

// IdleEngines counts the library's idle engines.
func (l *Library) IdleEngines() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.nIdle
}

// KillBusy kills the workers' processes that are reading, as an abort in
// tesseract would, and says how many.
func (ws *Workers) KillBusy() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for w := range ws.busy {
		_ = w.cmd.Process.Kill()
	}
	return len(ws.busy)
}
