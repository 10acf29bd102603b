"""Tests of bridge.automation: curves, lanes, musical time, shapes, lane files, scenes."""
