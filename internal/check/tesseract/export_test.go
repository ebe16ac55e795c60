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

// KillReading kills the workers' processes that have a whole job and are
// reading it, as an abort in tesseract would, and says how many.
func (ws *Workers) KillReading() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	n := 0
	for w := range ws.busy {
		if w.reading {
			_ = w.cmd.Process.Kill()
			n++
		}
	}
	return n
}
