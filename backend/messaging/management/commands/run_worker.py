"""The worker: sends the outbox and runs the periodic jobs; on SIGTERM it finishes the batch in hand."""

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from backend.core.periodic import periodic_jobs
from backend.messaging.worker import gc_tune, process_batch

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Envoie les SMS, notifications push et webhooks en file, et lance les tâches périodiques."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--poll", type=float, default=0.5, help="Attente entre deux tours à vide (s).")
        parser.add_argument("--batch", type=int, default=500, help="Envois réservés par tour.")
        parser.add_argument("--once", action="store_true", help="Un seul tour, puis sortie.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        last_run: dict[str, float] = {}
        gc_tune()
        self.stdout.write("Vigie worker started.")
        while not self.stopping:
            close_old_connections()
            try:
                handled = process_batch(limit=options["batch"])
            except Exception:  # a lost database connection must not stop the worker: claims are leased
                logger.exception("delivery batch failed")
                handled = 0
            if handled:
                self.stdout.write(f"sent batch of {handled} deliveries")
            now = time.monotonic()
            for job in periodic_jobs():
                if now - last_run.get(job.name, 0.0) >= job.every_seconds:
                    last_run[job.name] = now
                    try:
                        done = job.func()
                    except Exception:  # a faulty job must not stop the deliveries
                        logger.exception("periodic job %s failed", job.name)
                        continue
                    if done:
                        self.stdout.write(f"{job.name}: {done}")
            if options["once"]:
                break
            if not handled:
                time.sleep(options["poll"])
        self.stdout.write("Vigie worker stopped.")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
