"""Recordings of voice callbacks: which exist and until when, and the WAV each downloads as."""
from .store import KEEP_SECONDS, Recording, Recordings, download_api_url, object_name
from .wav import RATE, SAMPLE_WIDTH, wav_size, write_wav

__all__ = ["KEEP_SECONDS", "RATE", "SAMPLE_WIDTH", "Recording", "Recordings", "download_api_url", "object_name",
           "wav_size", "write_wav"]
