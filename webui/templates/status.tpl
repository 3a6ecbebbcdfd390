% # Every value below is escaped by {{ }}; PBX data (party, extension, lines) may contain markup.
% rebase('base.tpl', title='Status', refresh=refresh)
% cap = capture
% def yesno(flag):
%   return 'yes' if flag else 'no'
% end
<h1>Status</h1>

<section>
% if cap['state'] == 'running':
  <p class="banner ok">Capture running
    <span class="muted">· pid {{cap['pid']}} · {{cap['url']}}</span></p>
% elif cap['state'] == 'stale':
  <p class="banner warn">Capture not running: its status file was last updated {{int(cap['age_s'])}} s ago.</p>
% elif cap['state'] == 'missing':
  <p class="banner warn">Capture not running: it has not started yet (no status file).</p>
% else:
  <p class="banner warn">Capture not running: its status file cannot be read.</p>
% end

% if cap['links']:
  <h2>{{'PBX links' if cap['state'] == 'running' else 'PBX links (last known)'}}</h2>
  <div class="scroll"><table>
    <thead><tr><th>Source</th><th>State</th><th>Since (UTC)</th><th>Detail</th></tr></thead>
    <tbody>
% for link in cap['links']:
      <tr><td>{{link['source']}}</td>
        <td><span class="pill {{'up' if link['state'] == 'up' else 'down'}}">{{'up' if link['state'] == 'up' else 'down'}}</span></td>
        <td class="num">{{link['since']}}</td><td>{{link['detail']}}</td></tr>
% end
    </tbody>
  </table></div>
% end
</section>

<section>
  <h2>Counters</h2>
  <dl class="cards">
    <div><dt>Lines received since capture start</dt><dd>{{cap['lines'] if cap['lines'] is not None else '–'}}</dd></div>
    <div><dt>Capture backlog</dt><dd>{{cap['backlog'] if cap['backlog'] is not None else '–'}}</dd></div>
    <div><dt>Lines processed</dt><dd>{{counts['lines']}}</dd></div>
    <div><dt>Calls stored</dt><dd>{{counts['calls']}}</dd></div>
    <div><dt>Legs</dt><dd>{{counts['legs']}}</dd></div>
    <div><dt>Lines quarantined</dt><dd>{{counts['quarantined']}}</dd></div>
    <div><dt>Lines ignored (headers)</dt><dd>{{counts['ignored']}}</dd></div>
    <div><dt>Journal</dt><dd>{{journal['segments']}} segments · {{'%.1f' % (journal['bytes'] / 1048576)}} MiB</dd></div>
    <div><dt>Last line received (UTC)</dt><dd class="small">{{cap['last_line_at'] or '–'}}</dd></div>
  </dl>
</section>

<section>
  <h2>Last calls</h2>
% if calls:
  <div class="scroll"><table>
    <thead><tr><th>Start (local)</th><th>Direction</th><th>Extension</th><th>Party</th><th>Trunk</th>
      <th>Ring</th><th>Talk</th><th>Answered</th><th>Transferred</th><th>Legs</th></tr></thead>
    <tbody>
% for c in calls:
      <tr><td class="num">{{c['start']}}</td><td>{{c['direction']}}</td><td>{{c['extension']}}</td>
        <td>{{c['party']}}</td><td>{{c['trunk']}}</td><td class="num">{{hms(c['ring_s'])}}</td>
        <td class="num">{{hms(c['talk_s'])}}</td><td>{{yesno(c['answered'])}}</td>
        <td>{{yesno(c['transferred'])}}</td><td class="num">{{c['legs']}}</td></tr>
% end
    </tbody>
  </table></div>
% else:
  <p class="muted">No calls stored yet.</p>
% end
</section>

<section>
  <h2>Link events</h2>
% if events:
  <div class="scroll"><table>
    <thead><tr><th>Time (UTC)</th><th>Source</th><th>Event</th><th>Detail</th><th>Journal</th></tr></thead>
    <tbody>
% for e in events:
      <tr><td class="num">{{e['at']}}</td><td>{{e['source']}}</td><td>{{e['event']}}</td>
        <td>{{e['detail']}}</td><td class="num">{{e['ref']}}</td></tr>
% end
    </tbody>
  </table></div>
% else:
  <p class="muted">No link events yet.</p>
% end
</section>

% if get('whole_box', True):
<section>
  <h2>Last quarantined lines</h2>
% if quarantined:
  <div class="scroll"><table>
    <thead><tr><th>Journal</th><th>Received (UTC)</th><th>Reason</th><th>Line</th></tr></thead>
    <tbody>
% for q in quarantined:
      <tr><td class="num">{{q['ref']}}</td><td class="num">{{q['received']}}</td><td>{{q['reason']}}</td>
        <td><code>{{q['line']}}</code></td></tr>
% end
    </tbody>
  </table></div>
% else:
  <p class="muted">No quarantined lines.</p>
% end
</section>
% end

<p class="muted small">Updated {{generated_at}} · refreshes every {{refresh}} s</p>
