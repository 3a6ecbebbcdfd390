% # A branch box's sync to its central (APP-1): on the home page (whoever sees the whole box) and /setup. Values
% # are escaped by {{ }}; times are UTC.
% if sync:
% utc = lambda iso: iso.replace('T', ' ').replace('Z', ' UTC') if iso else '–'
<section id="sync-status">
  <h2>{{_('Sync to the central')}}</h2>
% if sync['last_error']:
  <p class="banner warn" id="sync-failing">{{_('The central cannot be reached since {when}: {error}. The calls wait on this box and are sent when it works again.').format(when=utc(sync['last_error_at']), error=sync['last_error'])}}</p>
% else:
  <p class="banner ok" id="sync-ok">{{_('Calls reach the central.')}}</p>
% end
  <dl class="cards">
    <div><dt>{{_('Central')}}</dt><dd class="small">{{sync['central']}}</dd></div>
    <div><dt>{{_('Branch box')}}</dt><dd>{{sync['branch']}}</dd></div>
    <div><dt>{{_('Last success')}}</dt><dd class="small" id="sync-last-success">{{utc(sync['last_success'])}}</dd></div>
    <div><dt>{{_('Waiting to be sent')}}</dt><dd id="sync-backlog">{{fmt_number(sync['backlog'])}}</dd></div>
% if sync.get('backlog_evaluations'):
    <div><dt>{{_('Call evaluations waiting to be sent')}}</dt><dd id="sync-backlog-evaluations">{{fmt_number(sync['backlog_evaluations'])}}</dd></div>
% end
    <div><dt>{{_('Last error')}}</dt><dd class="small" id="sync-last-error">{{sync['last_error'] or '–'}}</dd></div>
  </dl>
% if sync.get('evaluations_held'):
  <p class="small" id="sync-evaluations-held">{{_('The central has not said it takes call evaluations (a central of an older release does not): they wait on this box and are sent once it does.')}}</p>
% end
</section>
% end
