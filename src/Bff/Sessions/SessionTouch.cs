namespace Bff.Sessions;

/// <summary>A request's use of a session that slides its idle end (<see cref="ISessionStore.TouchAsync"/>).</summary>
internal readonly record struct SessionTouch(SessionKey Key, DateTimeOffset LastActiveAt);
