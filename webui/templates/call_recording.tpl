% # The call's recording (webui/recordings.py): shown only to users with the listen right when recordings are set up.
% from webui.recordings import player
% rec = player(path)
% if rec:
<h2>{{_('Recording')}}</h2>
% if rec['expired']:
<p class="muted">{{_('This call is older than the recordings are kept.')}}</p>
% elif not rec['found']:
<p class="muted" id="no-recording">{{_('No recording of this call.')}}</p>
% else:
% if rec['playable']:
<audio id="recording" controls preload="metadata" src="{{rec['url']}}"></audio>
% end
<p><a href="{{rec['download']}}" id="recording-download">{{_('Download the recording')}}</a></p>
% end
% end
