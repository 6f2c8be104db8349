"""The background worker (`manage.py run_worker`): one loop above the apps it drives — the
deadline sweep (deadlines, through the ticket actions), the morning digest, the outbox
(notify), the search's word index (tickets.words) and the statistics rollups (stats). It sits
above them in the import contract so that none of them needs to know it exists."""
