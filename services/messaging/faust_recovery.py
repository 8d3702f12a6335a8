"""A faust table recovery that cannot drop stream records while it seeks (faust 0.15.3).

When a worker has changelogs to restore, faust starts its fetcher during the restore. At the
end, `Recovery.on_recovery_completed` resumes the stream partitions, seeks them to their
committed offsets and only then calls `flow_control.resume()`, which empties every stream
queue. The fetcher keeps running meanwhile: a record fetched after its partition's seek and
queued before that resume is thrown away, while the consumer's position has moved past it.
The partition then stalls (its committed offset never moves, as the record is never acked)
until the next rebalance. Stopping the consumer's flow first makes the fetcher hand over
nothing during the seek (faust re-seeks what it fetched meanwhile); faust's own
`resume_flow()`, after the queues are emptied, lets records in again."""

from faust.tables import TableManager
from faust.tables.recovery import Recovery

__all__ = ["SeekSafeTableManager"]


class SeekSafeRecovery(Recovery):
    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        self.app.consumer.stop_flow()
        await super().on_recovery_completed(generation_id)


class SeekSafeTableManager(TableManager):
    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = SeekSafeRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery
