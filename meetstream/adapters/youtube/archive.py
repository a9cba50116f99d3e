"""The archive's calls on YouTube (meetstream archive): read a video's privacy, change it, delete it.

- videos.list part=status (1 unit per 50 ids): what YouTube has now; an id it does not return is gone.
- videos.update part=status (50 units): the status part is replaced whole (videos/update: "if your
  request does not specify a value for a property that already has a value, the property's existing
  value will be deleted"), so the status just read is sent back with only privacyStatus changed.
- videos.delete (50 units, 204; 404 videoNotFound: already gone, which is what was wanted).
Every call goes through the client, so it is in the quota ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meetstream.adapters.youtube.refusals import ApiRefusal

# What YouTube keeps in a video's status that an update may send back (videos resource, status).
_WRITABLE = ("privacyStatus", "embeddable", "license", "publicStatsViewable", "selfDeclaredMadeForKids", "publishAt")


@dataclass(frozen=True)
class VideoPrivacy:
    video_id: str
    privacy: str  # public / unlisted / private
    status: dict = field(default_factory=dict, repr=False, compare=False)  # the status part, to send back


class VideoArchive:
    """The archive port (meetstream.services.archive.Archive) on the YouTube client."""

    def __init__(self, client):
        self.client = client

    def privacy(self, video_ids: list[str]) -> dict[str, VideoPrivacy]:
        found: dict[str, VideoPrivacy] = {}
        for i in range(0, len(video_ids), 50):
            chunk = video_ids[i:i + 50]
            # videos/list: maxResults is "not supported for use in conjunction with the id parameter".
            page = self.client.call("videos.list", self.client.service.videos().list(part="id,status", id=",".join(chunk)))
            for item in page.get("items", []):
                st = item.get("status") or {}
                found[item["id"]] = VideoPrivacy(item["id"], st.get("privacyStatus", "public"), st)
        return found

    def set_privacy(self, current: VideoPrivacy, privacy: str) -> VideoPrivacy:
        status = {k: v for k, v in current.status.items() if k in _WRITABLE} | {"privacyStatus": privacy}
        item = self.client.call("videos.update", self.client.service.videos().update(
            part="status", body={"id": current.video_id, "status": status}))
        st = item.get("status") or status
        return VideoPrivacy(current.video_id, st.get("privacyStatus", privacy), st)

    def delete(self, video_id: str) -> bool:
        """True if deleted now, False if YouTube had no such video any more."""
        try:
            self.client.call("videos.delete", self.client.service.videos().delete(id=video_id))
        except ApiRefusal as err:
            if err.reason == "videoNotFound":
                return False
            raise
        return True
