% # The box's status, a part of home.tpl for whoever sees the whole box. Values are escaped by {{ }}.
% cap = capture
<section>
% if cap['state'] == 'running':
  <p class="banner ok">{{_('Capture running')}}
    <span class="muted">· pid {{cap['pid']}} · {{cap['url']}}</span></p>
% elif cap['state'] == 'stale':
  <p class="banner warn">{{_('Capture not running: its status file was last updated {n} s ago.').format(n=int(cap['age_s']))}}</p>
% elif cap['state'] == 'missing':
  <p class="banner warn">{{_('Capture not running: it has not started yet (no status file).')}}</p>
% else:
  <p class="banner warn">{{_('Capture not running: its status file cannot be read.')}}</p>
% end

% if cap['links']:
  <h2>{{_('PBX links') if cap['state'] == 'running' else _('PBX links (last known)')}}</h2>
  <div class="scroll" tabindex="0"><table>
    <thead><tr><th>{{_('Source')}}</th><th>{{_('State')}}</th><th>{{_('Since (UTC)')}}</th><th>{{_('Detail')}}</th></tr></thead>
    <tbody>
% for link in cap['links']:
%   up = link['state'] == 'up'
      <tr><td>{{link['source']}}</td>
        <td><span class="pill {{'up' if up else 'down'}}">{{term('up' if up else 'down')}}</span></td>
        <td class="num" title="{{link['since']}}">{{fmt_iso(link['since']) if link['since'] else '–'}}</td><td>{{link_detail(link['detail'], link.get('text', ''))}}</td></tr>
% end
    </tbody>
  </table></div>
% end
</section>

% include('sync_status.tpl', sync=get('sync'))

% if health is not None:
<section>
  <h2>{{_('Health')}}</h2>
  <dl class="cards">
    <div><dt>{{_('PBX link')}}</dt><dd>{{_('no capture status') if health.link_up is None else term('up' if health.link_up else 'down')}}</dd></div>
    <div><dt>{{_('Last record')}}</dt><dd class="small">{{fmt_datetime(health.last_record_utc, 0) + ' UTC' if health.last_record_utc else '–'}}</dd></div>
    <div><dt>{{_('Calls today')}}</dt><dd>{{fmt_number(health.records_today)}}</dd></div>
    <div><dt>{{_('Quarantined today / in all')}}</dt><dd>{{fmt_number(health.quarantine_today)}} / {{fmt_number(health.quarantine_total)}}</dd></div>
    <div><dt>{{_('Journal (of its retention)')}}</dt><dd>{{fmt_number(health.journal_pct)}} %</dd></div>
    <div><dt>{{_('Free disk')}}</dt><dd>{{fmt_number(health.disk_free_pct)}} %</dd></div>
    <div><dt>{{_('Database')}}</dt><dd class="small">{{_('OK') if health.db_ok else health.db_error}}</dd></div>
  </dl>
</section>
% end

<section>
  <h2>{{_('Counters')}}</h2>
  <dl class="cards">
    <div><dt>{{_('Lines received since capture start')}}</dt><dd>{{cap['lines'] if cap['lines'] is not None else '–'}}</dd></div>
    <div><dt>{{_('Capture backlog')}}</dt><dd>{{cap['backlog'] if cap['backlog'] is not None else '–'}}</dd></div>
% if cap.get('listener'):
%   lst = cap['listener']
    <div><dt>{{_('PBX port: connections open')}}</dt><dd>{{fmt_number(lst['connections'])}}</dd></div>
    <div><dt>{{_('PBX port: connections refused')}}</dt><dd>{{fmt_number(lst['refused'])}}</dd></div>
    <div><dt>{{_('PBX port: idle connections dropped')}}</dt><dd>{{fmt_number(lst['dropped'])}}</dd></div>
% end
    <div><dt>{{_('Lines processed')}}</dt><dd>{{fmt_number(counts['lines'])}}</dd></div>
    <div><dt>{{_('Calls stored')}}</dt><dd>{{fmt_number(counts['calls'])}}</dd></div>
    <div><dt>{{_('Legs')}}</dt><dd>{{fmt_number(counts['legs'])}}</dd></div>
    <div><dt>{{_('Lines quarantined')}}</dt><dd>{{fmt_number(counts['quarantined'])}}</dd></div>
    <div><dt>{{_('Calls to numbers not in the numbering data (priced by prefix)')}}</dt><dd>{{fmt_number(counts['unknown_numbers'])}}</dd></div>
    <div><dt>{{_('Lines ignored (headers)')}}</dt><dd>{{fmt_number(counts['ignored'])}}</dd></div>
    <div><dt>{{_('Journal')}}</dt><dd>{{ngettext('{n} segment', '{n} segments', journal['segments']).format(n=fmt_number(journal['segments']))}} · {{fmt_number(journal['bytes'] / 1048576, 1)}} MiB</dd></div>
    <div><dt>{{_('Last line received (UTC)')}}</dt><dd class="small" title="{{cap['last_line_at'] or ''}}">{{fmt_iso(cap['last_line_at']) if cap['last_line_at'] else '–'}}</dd></div>
  </dl>
</section>

<section>
  <h2>{{_('Link events')}}</h2>
% if events:
  <div class="scroll" tabindex="0"><table>
    <thead><tr><th>{{_('Time (UTC)')}}</th><th>{{_('Source')}}</th><th>{{_('Event')}}</th><th>{{_('Detail')}}</th><th>{{_('Journal')}}</th></tr></thead>
    <tbody>
% for e in events:
      <tr><td class="num" title="{{e['at']}}">{{fmt_iso(e['at'])}}</td><td>{{e['source']}}</td><td>{{term(e['event'])}}</td>
        <td>{{link_detail(e['detail'], e.get('text', ''))}}</td><td class="num">{{e['ref']}}</td></tr>
% end
    </tbody>
  </table></div>
% else:
  <p class="muted">{{_('No link events yet.')}}</p>
% end
</section>

<section>
  <h2>{{_('Last quarantined lines')}}</h2>
% if quarantined:
  <div class="scroll" tabindex="0"><table>
    <thead><tr><th>{{_('Journal')}}</th><th>{{_('Received (UTC)')}}</th><th>{{_('Reason')}}</th><th>{{_('Line')}}</th></tr></thead>
    <tbody>
% for q in quarantined:
      <tr><td class="num">{{q['ref']}}</td><td class="num" title="{{q['received']}}">{{fmt_iso(q['received'])}}</td><td>{{q['reason']}}</td>
        <td><code>{{q['line']}}</code></td></tr>
% end
    </tbody>
  </table></div>
% else:
  <p class="muted">{{_('No quarantined lines.')}}</p>
% end
</section>
